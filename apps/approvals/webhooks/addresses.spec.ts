import { addressProblem, classifyAddress, schemeProblem } from './addresses';

describe('webhook addresses', () => {
  it.each([
    ['93.184.215.14', 'public'],
    ['8.8.8.8', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['100.127.255.255', 'private'],
    ['100.128.0.1', 'public'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['192.0.0.8', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['::10.0.0.5', 'private'],
    ['::ffff:0:127.0.0.1', 'loopback'],
    ['64:ff9b::a00:5', 'private'],
    ['64:ff9b::808:808', 'public'],
    ['64:ff9b:1::a00:5', 'reserved'],
    ['2002:7f00:1::1', 'loopback'],
    ['2002:a9fe:a9fe::1', 'link-local'],
    ['2002:808:808::1', 'public'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['100::1', 'reserved'],
    ['fec0::1', 'reserved'],
    ['2001:4860:4860::8888', 'public'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it('takes http: and https: URLs only', () => {
    expect(schemeProblem(new URL('https://example.com/hook'))).toBeUndefined();
    expect(schemeProblem(new URL('http://example.com/hook'))).toBeUndefined();
    expect(schemeProblem(new URL('ftp://example.com/hook'))).toMatch(/http: or https:/);
    expect(schemeProblem(new URL('file:///etc/passwd'))).toMatch(/http: or https:/);
  });

  it('refuses a host with any non-public address, or none, unless private addresses are allowed', () => {
    expect(addressProblem(['93.184.215.14'], false)).toBeUndefined();
    expect(addressProblem(['93.184.215.14', '10.0.0.1'], false)).toMatch(/private address \(10\.0\.0\.1\)/);
    expect(addressProblem(['127.0.0.1'], false)).toMatch(/loopback/);
    expect(addressProblem(['127.0.0.1'], true)).toBeUndefined();
    expect(addressProblem([], true)).toMatch(/does not resolve/);
  });
});
