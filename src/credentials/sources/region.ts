import type { SourceInit } from './types.js';

/** `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's `region`, as the AWS CLI does. */
export function regionFrom(
  init: Pick<SourceInit, 'region' | 'env'>,
  profileRegion?: string,
): string | undefined {
  return init.region || init.env.AWS_REGION || init.env.AWS_DEFAULT_REGION || profileRegion || undefined;
}
