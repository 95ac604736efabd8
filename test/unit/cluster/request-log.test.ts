import { describe, expect, test } from '@jest/globals';
import { redactBody, redactHeaders } from '../../../src/cluster/request-log.js';

const SECRETS = ['s3cr3t-token', 'hunter2', 'LS0tLS1CRUdJTiBQUklWQVRF', 'Y2VydGRhdGE=', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4eXoifQ.c2lnbmF0dXJl', 'AKIAABCDEF'];

describe('request log redaction (-v=8)', () => {
  test('Authorization headers are masked, other headers kept', () => {
    const lines = redactHeaders({ Authorization: 'Bearer s3cr3t-token', 'Impersonate-Group': ['a', 'b'], Accept: 'application/json' });
    expect(lines).toEqual(['Authorization: Bearer <masked>', 'Impersonate-Group: a', 'Impersonate-Group: b', 'Accept: application/json']);
  });

  test('tokens, passwords, client keys and certificates, Secret data, credential env values, JWTs and PEM keys never appear', () => {
    const body = JSON.stringify({
      kind: 'List',
      items: [
        { kind: 'ExecCredential', status: { token: 's3cr3t-token', clientKeyData: 'LS0tLS1CRUdJTiBQUklWQVRF', clientCertificateData: 'Y2VydGRhdGE=' } },
        { kind: 'Secret', data: { password: 'aHVudGVyMg==', other: 'hunter2' }, stringData: { x: 'hunter2' } },
        { spec: { containers: [{ env: [{ name: 'AWS_SECRET_ACCESS_KEY', value: 'AKIAABCDEF' }, { name: 'WORLD_SIZE', value: '4' }] }] } },
        { note: 'a JWT eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4eXoifQ.c2lnbmF0dXJl inside text' },
        { user: { password: 'hunter2' } },
      ],
    });
    const out = redactBody(body, 8);
    for (const s of SECRETS) expect(out).not.toContain(s);
    expect(out).toContain('"WORLD_SIZE","value":"4"');
    expect(out).toContain('<masked>');
  });

  test('non-JSON bodies lose bearer tokens and PEM private keys', () => {
    const out = redactBody('Authorization: Bearer s3cr3t-token\n-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----\n', 8);
    expect(out).not.toContain('s3cr3t-token');
    expect(out).not.toContain('abc');
  });

  test('bodies are truncated to 10240 characters below -v=9, whole at 9', () => {
    const big = JSON.stringify({ data: 'x'.repeat(20000) });
    expect(redactBody(big, 8).length).toBeLessThan(10300);
    expect(redactBody(big, 9)).toBe(big);
  });
});
