/** Identity of the local "cloud": fixed so ARNs and URLs are stable across restarts. */
export const sandboxRegion = "us-east-1";
export const sandboxAccountId = "000000000000";
export const sandboxStack = "sandbox";
/** Credentials the SDK needs to sign requests; the emulators accept any. */
export const sandboxCredentials = { accessKeyId: "sandbox", secretAccessKey: "sandbox" };
