/** The AWS config and credentials files: locations, format-preserving INI, profiles, safe writes. */
export { awsFiles, configSectionName, type AwsFiles } from './paths.js';
export { parseIni, renderIni, sectionNames, getSection, type IniDocument, type IniLine } from './ini.js';
export { setValues, removeSection } from './iniEdit.js';
export { readIniFile } from './read.js';
export { readProfile, listProfiles, type Profile } from './profiles.js';
export { updateIniFile, writeProfile, type UpdateIniFileOptions, type ProfileChanges } from './write.js';
