import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { splitProjects, trimBlankLines } from '../../config/db-split.ts';

describe('config/db-split', () => {
  it('cuts the projects block into one piece per project, the rest into the header', () => {
    const text = '# top\nversions:\n  traefik: v3\nprojects:\n  # first\n  - name: a\n    services: []\n\n  - name: b\n    services:\n      - host: web\n\n# tail\nschedules: {}\n';
    assert.deepEqual(splitProjects(text), {
      header: '# top\nversions:\n  traefik: v3\nprojects: []\nschedules: {}\n',
      chunks: ['  - name: a\n    services: []', '  - name: b\n    services:\n      - host: web\n\n# tail'],
    });
  });

  it('takes items at column 0 and CRLF line ends', () => {
    const split = splitProjects('projects:\r\n- name: a\r\n  services: []\r\n- name: b\r\n  services: []\r\n');
    assert.deepEqual(split, { header: 'projects: []\n', chunks: ['- name: a\r\n  services: []\r', '- name: b\r\n  services: []\r'] });
  });

  it('does not split what it cannot split safely', () => {
    for (const text of [
      'projects: [{name: a}]\n', // flow
      '---\nprojects:\n  - name: a\n', // document marker
      'projects:\n  - name: a\nprojects:\n  - name: b\n', // the key twice
      'projects:\n\t- name: a\n', // a tab
      'versions: {}\n', // no projects
      '"projects":\n  - name: a\n', // a quoted key
      'projects:\n  - name: a\n    description: |+\n      kept\n\n  - name: b\n', // keep chomping: the blank lines are the value's
    ]) assert.equal(splitProjects(text), undefined, JSON.stringify(text));
  });

  it('trims trailing blank lines exactly as the regular expression it replaces', () => {
    const TRAILING = /(?:\n[ \t]*\r?)+$/;
    const alphabet = ['\n', ' ', '\t', '\r', 'a', '#'];
    // Every string of up to 6 of these characters: blank lines, CRs, spaces and content in any order.
    const strings = [''];
    for (let length = 1, last = ['']; length <= 6; length++) {
      last = last.flatMap((prefix) => alphabet.map((c) => prefix + c));
      strings.push(...last);
    }
    for (const text of strings) assert.equal(trimBlankLines(text), text.replace(TRAILING, ''), JSON.stringify(text));
    assert.equal(trimBlankLines('  - name: a\n    x: |\n      #\n  \n\t\r\n'), '  - name: a\n    x: |\n      #');
  });
});
