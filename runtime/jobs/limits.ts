/** The longest id or city of a job: the CSV schema, the API's paths and its queries share it. */
export const MAX_KEY_LENGTH = 256;
