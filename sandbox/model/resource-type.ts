import type { RecordedResource } from "./recorded";

/**
 * What the sandbox knows about one resource type a program may declare, kept by the service it
 * belongs to: how far it is emulated, which inputs it honours, and the state its mock answers.
 */
export type Coverage = "emulated" | "recorded, not enforced" | "not emulated (no effect locally)" | "not emulated";

export interface StateContext {
  /** The physical name: the program's own, or Pulumi's autoname made stable for this stack. */
  physical: string;
  /** The logical name in the program. */
  name: string;
  stack: string;
  inputs: Record<string, unknown>;
  /** Origin of the local HTTP API server. */
  apiOrigin: string;
  /** What creating it in an emulator returned (a queue's URL). */
  url?: string;
  /** Other attributes creating it returned (a table's stream ARN and label). */
  created: Record<string, string>;
  /** `arn:aws:<service>:<region>:<account>:<resource>` */
  arn(service: string, resource: string): string;
  region: string;
  account: string;
}

export interface ResourceTypeSupport {
  type: string;
  coverage: Coverage;
  /** The input Pulumi autonames (`name` unless said). */
  nameInput?: string;
  /** Inputs read and acted on. */
  honoured?: string[];
  /** Inputs read by AWS only (permissions, encryption...): nothing to do locally. */
  noLocalEffect?: string[];
  /** Inputs set but not emulated, with what that means for the program here. */
  meaning?: Record<string, string>;
  /** What AWS answers when it refuses to create one with these inputs (its own message), or undefined. */
  refusal?(inputs: Record<string, unknown>): string | undefined;
  /** The id and the attributes AWS would compute, as the mock answers them. */
  state?(context: StateContext): { id: string; state: Record<string, unknown> };
  /** Its line in the banner's resource list (`table     jobs-a1b2  (jobs; data kept on disk)`). */
  describe?(resource: RecordedResource): string;
}
