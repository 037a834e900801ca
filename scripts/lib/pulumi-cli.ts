/** What a command adds when `pulumi` could not be started at all: the usual reason. */
export const pulumiCliMissing = "(is the Pulumi CLI installed and on PATH?)";
