/** One resource the program declared, as the sandbox recorded it under mocks. */
export interface RecordedResource {
  type: string;
  /** Logical name in the program. */
  name: string;
  /** Physical id the mocks returned (a table name, a queue URL, an API id...). */
  id: string;
  /** Inputs with Outputs resolved and assets read (an archive becomes `{ files: {path: text} }`). */
  inputs: Record<string, unknown>;
  /** Inputs plus what AWS would compute (ARNs, URLs, names). */
  state: Record<string, unknown>;
  /** False for component resources, which exist only in the program. */
  custom: boolean;
  /** A component a provider plugin builds (registered as remote): its resources are not in the program. */
  remote?: boolean;
}

export interface Deployment {
  project: string;
  stack: string;
  resources: RecordedResource[];
  /** The program's exports, resolved: the stack outputs. */
  outputs: Record<string, unknown>;
  /** Notes from provisioning (e.g. a table recreated because its keys changed). */
  notes: string[];
  /** The esbuild builds the program ran, to replay them when one of their inputs changes. */
  bundles: BundleRecipe[];
  /** The program's own files (absolute paths): the modules it loaded and its project files. */
  programFiles: string[];
}

export interface BundleRecipe {
  options: import("esbuild").BuildOptions;
  /** What the build gave (a bundle, and its source map when linked): output path -> text. */
  outputs: Record<string, string>;
  /** The files the build read (absolute paths): a change to one of them is a change to this bundle. */
  inputs: string[];
}

/** What the parent asks of a deployer process. */
export interface DeployRequest {
  programDir: string;
  project: string;
  stack: string;
  config: Record<string, string>;
  secretKeys: string[];
  awsEndpoint: string;
  /** Origin of the local HTTP API server: stages' invoke URLs are built on it. */
  apiOrigin: string;
  /** Where the program's esbuild results are kept between runs. */
  bundleCacheDir: string;
}
