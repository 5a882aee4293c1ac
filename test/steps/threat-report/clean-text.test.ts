import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanPtrName, cleanText } from '../../../steps/threat-report/clean-text.ts';

describe('cleanPtrName', () => {
  it("undoes c-ares' escapes, then removes control characters and whole ANSI sequences", () => {
    assert.equal(cleanPtrName('line\\010break.example'), 'linebreak.example');
    assert.equal(cleanPtrName('\\027[31mred\\027[0m.example'), 'red.example');
    assert.equal(cleanPtrName('\\027]0;owned\\007host.example'), 'host.example');
    assert.equal(cleanPtrName('a\\"b.example'), 'a"b.example');
    assert.equal(cleanPtrName('caf\\195\\169.example'), 'café.example');
    assert.equal(cleanPtrName('\u202etxt.exe.example'), 'txt.exe.example');
  });
});

describe('cleanText', () => {
  it('makes one line of plain text', () => {
    assert.equal(cleanText('line one\r\nline two\ttab'), 'line one line two tab');
    assert.equal(cleanText('\u001b[1;31mALERT\u001b[0m  done\u0007'), 'ALERT done');
  });
});
