/**
 * Variables that would make a child's SDK ignore the credentials we hand it (or pick the wrong
 * ones): profile selection, other keys, web identity, and other container-credential endpoints.
 */
export const CREDENTIAL_VARIABLES = [
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_ROLE_SESSION_NAME',
  // botocore's legacy providers: a key file named here, and boto's own config.
  'AWS_CREDENTIAL_FILE',
  'BOTO_CONFIG',
] as const;

/** The child's environment: the parent's, minus every credential variable, plus `set`. */
export function childEnv(parent: NodeJS.ProcessEnv, set: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...parent };
  for (const name of CREDENTIAL_VARIABLES) delete env[name];
  return { ...env, ...set };
}
