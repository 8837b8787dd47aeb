/**
 * Console sign-in: a federation sign-in URL for the AWS console of the session's partition, from
 * any source (a role assumed now, a profile's own session, long-lived keys through a federation
 * token), handed to a browser through a one-shot local link so that it is on no command line.
 */
export { signInToConsole, type SignInToConsoleOptions, type ConsoleSession } from './signInToConsole.js';
export { consoleSignIn, explainRefusal, type ConsoleSignIn, type ConsoleSignInOptions } from './signIn.js';
export {
  consoleCredentials,
  type ConsoleCredentials,
  type ConsoleCredentialsOptions,
  type SessionOrigin,
} from './consoleCredentials.js';
export {
  getSigninToken,
  loginUrl,
  SigninRefusal,
  type FederationSession,
  type SigninTokenOptions,
} from './federation.js';
export {
  getFederationToken,
  federatedUserName,
  FEDERATION_POLICY,
  type FederationToken,
} from './federationToken.js';
export {
  consoleHosts,
  federationUrl,
  parseDestination,
  destinationUrl,
  type ConsoleHosts,
  type DestinationInput,
} from './hosts.js';
export { browserCommands, type BrowserCommand } from './browser.js';
export {
  startHandoff,
  openInBrowser,
  type Handoff,
  type HandoffOptions,
  type OpenOptions,
  type RefusedRequest,
  type SpawnBrowser,
} from './handoff.js';
export { uidOfConnection, peerUid, type Endpoint } from './peerUid.js';
