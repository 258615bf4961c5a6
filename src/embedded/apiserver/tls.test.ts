import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateServingCertificate } from './tls.js';

describe('generateServingCertificate', () => {
  it('issues a serving certificate for 127.0.0.1 signed by a fresh CA', async () => {
    const { caPem, certPem, keyPem } = await generateServingCertificate();
    const ca = new X509Certificate(caPem);
    const leaf = new X509Certificate(certPem);
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.checkHost('localhost')).toBe('localhost');
    expect(keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('makes a different CA each time', async () => {
    const a = await generateServingCertificate();
    const b = await generateServingCertificate();
    expect(a.caPem).not.toBe(b.caPem);
    expect(new X509Certificate(b.certPem).verify(new X509Certificate(a.caPem).publicKey)).toBe(false);
  });
});
