// Data folders inside the checkout (`.data`, `.data-2`, `.data-anything`) are nobody's source:
// git, Prettier and ESLint ignore every one of them, so a second gateway's DATA_DIR never fails
// `npm test`'s format check nor shows as untracked; and the folder the DATA_DIR-in-use message
// suggests is one of them.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ESLint } from 'eslint';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { siblingDataDir } from '../../src/db/ferretdb.js';
import { PROJECT_ROOT } from '../../src/shared/config.js';

const FOLDERS = ['.data', '.data-2', '.data-3', '.data-bench', '.datasets'];
const eslint = new ESLint({ cwd: PROJECT_ROOT });

describe('data folders inside the checkout', () => {
  it.each(FOLDERS)('%s/ is ignored by git, Prettier and ESLint', async (folder) => {
    const file = path.join(PROJECT_ROOT, folder, 'postgres', 'notes.ts');
    const git = spawnSync('git', ['check-ignore', '--no-index', '-q', path.relative(PROJECT_ROOT, file)], { cwd: PROJECT_ROOT });
    expect(git.status, `git check-ignore ${folder}`).toBe(0);
    const info = await prettier.getFileInfo(file, { ignorePath: path.join(PROJECT_ROOT, '.prettierignore') });
    expect(info.ignored, `Prettier ignores ${folder}`).toBe(true);
    expect(await eslint.isPathIgnored(file), `ESLint ignores ${folder}`).toBe(true);
  });

  it('a source folder that merely starts alike is still checked (the pattern is not too wide)', async () => {
    const file = path.join(PROJECT_ROOT, 'src', 'data', 'x.ts');
    expect(await eslint.isPathIgnored(file)).toBe(false);
    expect((await prettier.getFileInfo(file, { ignorePath: path.join(PROJECT_ROOT, '.prettierignore') })).ignored).toBe(false);
  });

  it('DATA_DIR in use suggests a numbered sibling, which for the default folder is ignored', () => {
    expect(siblingDataDir(path.join(PROJECT_ROOT, '.data'))).toBe(path.join(PROJECT_ROOT, '.data-2'));
    expect(siblingDataDir('/var/lib/gateway/data-2')).toBe('/var/lib/gateway/data-3');
    const suggested = path.relative(PROJECT_ROOT, siblingDataDir(path.join(PROJECT_ROOT, '.data')));
    expect(spawnSync('git', ['check-ignore', '--no-index', '-q', `${suggested}/x`], { cwd: PROJECT_ROOT }).status).toBe(0);
  });
});
