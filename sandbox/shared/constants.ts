/** Identity of the local "cloud": fixed so ARNs and URLs are stable across restarts. */
export const sandboxRegion = "us-east-1";
export const sandboxAccountId = "000000000000";
export const sandboxStack = "sandbox";
/** Credentials the SDK needs to sign requests; the emulators accept any. */
export const sandboxCredentials = { accessKeyId: "sandbox", secretAccessKey: "sandbox" };
/**
 * How much faster the sandbox's clock runs for what AWS counts in minutes: Lambda's retries of an
 * asynchronous event (about 1 then 2 minutes) come after 1 then 2 seconds, and a CloudWatch
 * alarm's period of 60 s lasts 1 s.
 */
export const localTimeScale = 60;
