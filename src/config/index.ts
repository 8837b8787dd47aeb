/** The AWS config and credentials files: locations, botocore-exact INI, profiles, safe writes. */
export { awsFiles, type AwsFiles } from './paths.js';
export { parseIni, renderIni, sectionNames, getSection, type IniDocument, type IniLine } from './ini.js';
export { setValues, removeSection } from './iniEdit.js';
export { readIniFile } from './read.js';
export { readProfile, listProfiles, type Profile } from './profiles.js';
export { validateProfileName } from './profileName.js';
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
  type UpdateIniFileOptions,
  type WriteReport,
  type ProfileWriteReport,
} from './write.js';
