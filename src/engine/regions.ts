import type { S3Client } from '@aws-sdk/client-s3';

/** Amazon's region names (eu-west-1) and the custom ones of other stores (garage, us-east-1-lab). */
export function isRegionName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name);
}

/**
 * One S3 client per region, made when first needed: buckets of one run may live in several
 * regions, and a client signs for one. (Not the SDK's followRegionRedirects: it redirects
 * every request anew and, under concurrency, changes the shared client's region meanwhile.)
 */
export class RegionalClients {
  private readonly clients = new Map<string, S3Client>();

  constructor(
    /** The region of buckets that do not say otherwise (the `region` input). */
    readonly defaultRegion: string,
    private readonly createClient: (region: string) => S3Client,
  ) {}

  for(region: string): S3Client {
    let client = this.clients.get(region);
    if (!client) {
      client = this.createClient(region);
      this.clients.set(region, client);
    }
    return client;
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
  }
}
