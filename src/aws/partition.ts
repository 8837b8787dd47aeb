/** AWS partitions: where a region lives decides ARNs, endpoints and console hosts. */
export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

export const PARTITIONS: readonly Partition[] = ['aws', 'aws-cn', 'aws-us-gov'];

/** `cn-*` is China, `us-gov-*` is GovCloud, everything else is the commercial partition. */
export function partitionOfRegion(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** DNS suffix of a partition's service endpoints. */
export function dnsSuffix(partition: Partition): string {
  return partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
}

/**
 * The regional STS endpoint. China has no global endpoint, and the SDKs' us-east-1 fallback
 * sends China keys to the wrong partition (InvalidClientTokenId), so we always go regional.
 */
export function stsEndpoint(region: string): string {
  return `https://sts.${region}.${dnsSuffix(partitionOfRegion(region))}`;
}

/** A region that certainly exists in the partition, for callers that have an ARN but no region. */
export function defaultRegionOf(partition: Partition): string {
  switch (partition) {
    case 'aws-cn':
      return 'cn-northwest-1';
    case 'aws-us-gov':
      return 'us-gov-west-1';
    default:
      return 'us-east-1';
  }
}

/** Valid region names look like `eu-west-1`, `cn-northwest-1`, `us-gov-west-1`, `us-isob-east-1`. */
export function isRegionName(region: string): boolean {
  return /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region);
}
