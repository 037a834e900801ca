/**
 * The environment contract of a Lambda handler, declared once: the component that deploys the
 * function builds its variables from it (so a missing one is a type error at program time), and the
 * handler reads them at cold start (so a misconfigured function fails with one message naming every
 * missing variable instead of an `undefined` deep inside a request).
 */
export interface EnvContract<Name extends string> {
  /** The variable names, each with what it carries. */
  readonly variables: Readonly<Record<Name, string>>;
  /** Checks the variables against the contract; throws one error listing every missing one. */
  read(source?: NodeJS.ProcessEnv): Readonly<Record<Name, string>>;
}

/** Values for every variable of a contract, in whatever type the deployer passes (e.g. Pulumi Inputs). */
export type EnvValues<C, V> = C extends EnvContract<infer Name> ? Record<Name, V> : never;

export function defineEnv<Name extends string>(handler: string, variables: Record<Name, string>): EnvContract<Name> {
  return {
    variables,
    read(source = process.env) {
      const names = Object.keys(variables) as Name[];
      const missing = names.filter((name) => !source[name]);
      if (missing.length > 0) {
        throw new Error(
          `${handler}: missing environment variable(s) ${missing.join(", ")}; ` +
            `they are set by the component that deploys this function (${names.join(", ")}).`,
        );
      }
      return Object.fromEntries(names.map((name) => [name, source[name] as string])) as Record<Name, string>;
    },
  };
}
