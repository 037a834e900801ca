import type { ChildProcess } from "node:child_process";

/** A deployer process for the program in `programDir`. */
export function forkDeployer(programDir: string): ChildProcess;
