/**
 * fauxqs names a queue by the exact URL it handed out (`http://sqs.<region>.localhost:<port>/...`,
 * a host that does not resolve). The front endpoint shows clients path-style URLs on itself
 * (`http://127.0.0.1:4566/000000000000/jobs`, as LocalStack's path strategy does) and translates
 * back, so a URL works whichever host form a client uses.
 */
const queuePath = /^\/(\d{12})\/([^/?#]+)\/?$/;

export interface QueueUrlForms {
  /** Origin clients see, e.g. http://127.0.0.1:4566 */
  external: string;
  /** The form fauxqs stores for a given region. */
  internal(region: string): string;
}

export function queueUrlForms(endpointOrigin: string): QueueUrlForms {
  const port = new URL(endpointOrigin).port;
  return { external: endpointOrigin, internal: (region) => `http://sqs.${region}.localhost:${port}` };
}

function rebase(url: string, origin: string): string {
  try {
    const match = queuePath.exec(new URL(url).pathname);
    return match ? `${origin}/${match[1]}/${match[2]}` : url;
  } catch {
    return url;
  }
}

export function regionOfSignedRequest(authorization: string | undefined, fallback: string): string {
  return /Credential=\S+?\/\d{8}\/([^/]+)\//.exec(authorization ?? "")?.[1] ?? fallback;
}

/** Rewrites the `QueueUrl` of an SQS JSON request into the form fauxqs stored. */
export function toInternalRequest(body: Record<string, unknown>, forms: QueueUrlForms, region: string) {
  if (typeof body.QueueUrl !== "string") return body;
  return { ...body, QueueUrl: rebase(body.QueueUrl, forms.internal(region)) };
}

/** Rewrites `QueueUrl` / `QueueUrls` of an SQS JSON response into the form clients can reach. */
export function toExternalResponse(body: Record<string, unknown>, forms: QueueUrlForms) {
  const result = { ...body };
  if (typeof result.QueueUrl === "string") result.QueueUrl = rebase(result.QueueUrl, forms.external);
  if (Array.isArray(result.QueueUrls)) {
    result.QueueUrls = result.QueueUrls.map((url: unknown) => (typeof url === "string" ? rebase(url, forms.external) : url));
  }
  return result;
}
