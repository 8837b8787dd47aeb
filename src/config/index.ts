/** The AWS config and credentials files: locations, botocore-exact INI, profiles, safe writes. */
export { awsFiles, configSectionName, type AwsFiles } from './paths.js';
export {
  parseIni,
  renderIni,
  sectionNames,
  sectionKeys,
  getSection,
  DEFAULT_SECTION,
  type IniDocument,
  type IniLine,
  type RawKey,
} from './ini.js';
export { setValues, removeSection } from './iniEdit.js';
export { sdkParse, sdkProfile, type SdkKey, type SdkSections } from './jsSdkIni.js';
export { readIniFile } from './read.js';
export { readProfile, listProfiles, configProfiles, configSectionProfile, type Profile } from './profiles.js';
export { validateProfileName, isWritableProfileName } from './profileName.js';
export {
  planProfileWrite,
  type ProfileChanges,
  type ProfileFiles,
  type RemovedSettings,
} from './profileWrite.js';
export { lockFile, type FileLock, type LockOptions } from './fileLock.js';
export {
  updateIniFile,
  updateIniFiles,
  updateProfile,
  writeProfile,
  reportLines,
  type UpdateIniFileOptions,
  type WriteReport,
  type ProfileWriteReport,
} from './write.js';
