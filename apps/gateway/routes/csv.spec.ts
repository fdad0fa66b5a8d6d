import { toCsv } from './csv';

describe('toCsv', () => {
  it('starts with a BOM, quotes what needs quoting and defuses formulas', () => {
    const csv = toCsv([{ a: '=SUM(A1:A2)', b: 'x,y', c: '+1', d: '-2', e: '@cmd', f: 'say "hi"', g: null, h: 3 }]);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const [header, row] = csv.slice(1).trim().split('\r\n');
    expect(header).toBe('a,b,c,d,e,f,g,h');
    expect(row).toBe(`'=SUM(A1:A2),"x,y",'+1,'-2,'@cmd,"say ""hi""",,3`);
  });
});
