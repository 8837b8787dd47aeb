"""How botocore reads AWS config and credentials files, as JSON, for tempcreds' tests.

usage: python3 botocoreRead.py [--vendored] raw FILE...
       python3 botocoreRead.py [--vendored] profile [--credentials] NAME...

--vendored uses the botocore inside the AWS CLI v2 (/usr/bin/python3: awscli.botocore);
without it, the botocore that comes with boto3. `raw` prints one JSON line per file:
{"sections": {...}, "profiles": {...}} (nested settings flattened to "key.sub") or
{"error": "ExceptionName"}. `profile` reads AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE
as a session with each profile does, one JSON line each: {"config": get_scoped_config()} and,
with --credentials, {"credentials": {"access_key", "token", "method"}} from get_credentials().
       python3 botocoreRead.py [--vendored] method NAME...
prints, per profile, how get_credentials() would get them without getting them (no network):
{"method": "assume-role", "token": null} (token: whether static keys carry one; null when the
credentials are deferred), {"method": null} when the chain finds none, or {"error": "Name"}.
"""
import json
import sys

args = sys.argv[1:]
if args and args[0] == '--vendored':
    args = args[1:]
    from awscli.botocore import configloader, session as botosession
else:
    from botocore import configloader, session as botosession


def flat(settings):
    out = {}
    for key, value in settings.items():
        if isinstance(value, dict):
            for sub, inner in value.items():
                out[key + '.' + sub] = inner
        else:
            out[key] = value
    return out


def raw(path):
    try:
        parsed = configloader.raw_config_parse(path)
    except Exception as err:  # the CLI's copy raises its own module's ConfigParseError
        if type(err).__name__ != 'ConfigParseError':
            raise
        return {'error': type(err).__name__}
    profiles = configloader.build_profile_map(parsed)['profiles']
    return {
        'sections': {name: flat(values) for name, values in parsed.items()},
        'profiles': {name: flat(values) for name, values in profiles.items()},
    }


if args[0] == 'raw':
    for path in args[1:]:
        print(json.dumps(raw(path)))
elif args[0] == 'profile':
    names = [name for name in args[1:] if name != '--credentials']
    for name in names:
        result = {}
        try:
            session = botosession.Session(profile=name)
            result['config'] = flat(session.get_scoped_config())
            if '--credentials' in args:
                creds = session.get_credentials()
                result['credentials'] = None if creds is None else {
                    'access_key': creds.access_key,
                    'token': creds.token,
                    'method': creds.method,
                }
        except Exception as err:  # what the AWS CLI would report as an error
            result['error'] = type(err).__name__
        print(json.dumps(result))
elif args[0] == 'method':
    for name in args[1:]:
        try:
            creds = botosession.Session(profile=name).get_credentials()
            if creds is None:
                result = {'method': None}
            elif type(creds).__name__ == 'Credentials':  # static: reading them costs nothing
                result = {'method': creds.method, 'token': bool(creds.token)}
            else:  # deferred or refreshable: touching access_key would call AWS
                result = {'method': creds.method, 'token': None}
        except Exception as err:
            result = {'error': type(err).__name__}
        print(json.dumps(result))
