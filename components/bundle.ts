import * as path from "node:path";
import * as esbuild from "esbuild";
import * as pulumi from "@pulumi/pulumi";

/**
 * Bundling is kept apart from the function (as CDK's aws-lambda-nodejs does): a handler entry in
 * `runtime/` becomes one minified CommonJS file, tree-shaken, with the AWS SDK bundled from our own
 * lockfile rather than whatever the Lambda runtime ships. The output depends only on the sources,
 * so an unchanged handler gives byte-identical code and `pulumi preview` shows no diff.
 */

export const PROJECT_ROOT = path.join(__dirname, "..");

/** The file name inside the archive, and so the `handler` setting is `index.handler`. */
export const BUNDLE_FILE = "index.js";
export const HANDLER = "index.handler";
/** The bundle's source map, beside it in the archive: stack traces name lines of `runtime/` sources. */
export const SOURCE_MAP_FILE = `${BUNDLE_FILE}.map`;
/**
 * Lambda's Node.js runtime reads NODE_OPTIONS from the function's environment: with it, Node
 * applies the source map to every stack trace (a handler error's frames are at our sources).
 */
export const SOURCE_MAP_NODE_OPTIONS = "--enable-source-maps";

export interface Bundle {
  readonly code: string;
  /** The source map of `code` (its sources relative to the project root, without their text). */
  readonly sourceMap: string;
  /** Every source file that went into the bundle, relative to the project root. */
  readonly inputs: string[];
  /** Bytes each input contributes to the bundle: what to read first when a bundle grows. */
  readonly bytesByInput: Record<string, number>;
}

const bundles = new Map<string, Bundle>();

/**
 * Left out of every bundle: the SDK imports these only from credential sources that read a
 * shared config file's SSO, assume-role or login profile, or web identity variables
 * (AWS_WEB_IDENTITY_TOKEN_FILE), none of which a Lambda function has. Lambda puts the execution
 * role's keys in the environment, which the default chain reads first; the container and
 * instance metadata sources stay bundled. They are dynamic imports, so nothing loads them unless
 * such a source is configured, and then the import fails naming the package. They carry the SDK's
 * STS, SSO and sign-in clients with their XML and query protocols: about 100 KB of each bundle.
 */
const NOT_USED_ON_LAMBDA = [
  "@aws-sdk/nested-clients",
  "@aws-sdk/credential-provider-sso",
  "@aws-sdk/credential-provider-login",
  "@aws-sdk/token-providers",
];

/** How every handler is built; the bench builds its comparisons with the very same options. */
export const HANDLER_BUILD_OPTIONS = {
  bundle: true,
  write: false,
  platform: "node",
  format: "cjs",
  target: "node22",
  minify: true,
  treeShaking: true,
  // The SDK's ES module build tree-shakes far better and starts faster than its CommonJS build.
  mainFields: ["module", "main"],
  external: NOT_USED_ON_LAMBDA,
  legalComments: "none",
  // A map file beside the bundle, named by a comment at its end; sources by path only (their text
  // would double the archive), relative to the project root: `runtime/job-api/app.ts`.
  sourcemap: "linked",
  sourcesContent: false,
  // At the project root, so the map's sources are relative to it; nothing is written (write: false).
  outfile: BUNDLE_FILE,
  logLevel: "silent",
} satisfies esbuild.BuildOptions;

/** The bundled code of a handler entry (a path relative to the project root). */
export function bundleHandler(entry: string): string {
  return bundle(entry).code;
}

export function bundle(entry: string): Bundle {
  const cached = bundles.get(entry);
  if (cached !== undefined) return cached;
  const result = esbuild.buildSync({
    ...HANDLER_BUILD_OPTIONS,
    absWorkingDir: PROJECT_ROOT,
    // Relative to the project root, so no absolute path of this machine reaches the bundle.
    entryPoints: [`./${entry}`],
    metafile: true,
  });
  const outputNamed = (name: string) => {
    const file = result.outputFiles.find((candidate) => path.basename(candidate.path) === name);
    if (!file) throw new Error(`esbuild gave no ${name} for ${entry}`);
    return file.text;
  };
  const output = result.metafile.outputs[BUNDLE_FILE];
  const built = {
    code: outputNamed(BUNDLE_FILE),
    sourceMap: outputNamed(SOURCE_MAP_FILE),
    inputs: Object.keys(result.metafile.inputs),
    bytesByInput: Object.fromEntries(Object.entries(output.inputs).map(([file, input]) => [file, input.bytesInOutput])),
  };
  bundles.set(entry, built);
  return built;
}

/** Forget cached bundles (the sandbox's hot reload rebundles after a change under runtime/). */
export function clearBundleCache(): void {
  bundles.clear();
}

/** The deployment package of a handler: an archive with the bundled file and its source map. */
export function handlerArchive(entry: string): pulumi.asset.AssetArchive {
  const built = bundle(entry);
  return new pulumi.asset.AssetArchive({
    [BUNDLE_FILE]: new pulumi.asset.StringAsset(built.code),
    [SOURCE_MAP_FILE]: new pulumi.asset.StringAsset(built.sourceMap),
  });
}
