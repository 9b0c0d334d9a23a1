// The packs a learner has open: the built-in one, always, plus folders, .zip files or git repositories
// opened with "Open Exercise Pack…" (remembered per workspace). A pack that fails to load is reported and
// left out; the others keep working.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { builtinAuthoringPackDir, builtinPackDir } from '../core/paths';
import { loadPack, type LoadedPack } from '../core/packs/load';
import type { ExerciseSpec } from '../protocol/pack';
import * as settings from './settings';

const OPENED_KEY = 'gradlab.openedPacks';

export interface ExerciseRef {
  pack: LoadedPack;
  exercise: ExerciseSpec;
}

export class PackRegistry implements vscode.Disposable {
  private loaded: Promise<LoadedPack[]> | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  private opened(): string[] {
    return this.context.workspaceState.get<string[]>(OPENED_KEY, []);
  }

  /** Packs named by the setting gradlab.packs (paths relative to the first workspace folder may be used). */
  private configured(): string[] {
    const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    return settings
      .packs()
      .map((p) => (base && !isAbsolute(p) && !/^(https?:|git@|ssh:)/.test(p) ? join(base, p) : p));
  }

  /** The setting changed: load again. */
  reload(): void {
    this.loaded = undefined;
    this.changed.fire();
  }

  /** Every loadable pack, the built-in one first. */
  all(): Promise<LoadedPack[]> {
    this.loaded ??= (async () => {
      const builtin = [builtinPackDir(), builtinAuthoringPackDir()].find((d) => existsSync(d));
      if (!builtin) throw new Error('The built-in pack is missing from the extension: reinstall Gradient Lab.');
      const packs = [await loadPack(builtin)];
      for (const source of [...new Set([...this.configured(), ...this.opened()])]) {
        try {
          const pack = await loadPack(source);
          if (!packs.some((p) => p.manifest.id === pack.manifest.id)) packs.push(pack);
        } catch (error) {
          this.log.error(`pack ${source}: ${(error as Error).message}`);
          void vscode.window.showErrorMessage(`Gradient Lab could not open the pack ${source}: ${(error as Error).message}`);
        }
      }
      return packs;
    })();
    this.loaded.catch(() => (this.loaded = undefined));
    return this.loaded;
  }

  async builtin(): Promise<LoadedPack> {
    return (await this.all())[0];
  }

  /** The pack and spec of an exercise id; later-opened packs do not shadow the built-in one. */
  async find(exerciseId: string): Promise<ExerciseRef | undefined> {
    for (const pack of await this.all()) {
      const exercise = pack.manifest.exercises.find((e) => e.id === exerciseId);
      if (exercise) return { pack, exercise };
    }
    return undefined;
  }

  /** Opens a pack folder, .zip or git URL: validated first, so a broken manifest is reported, not added. */
  async open(source: string): Promise<LoadedPack> {
    const local = /^(https?:|git@|ssh:)/.test(source) ? await this.clone(source) : source;
    const pack = await loadPack(local);
    const clash = (await this.all()).find((p) => p.manifest.id === pack.manifest.id);
    if (!clash) {
      await this.context.workspaceState.update(OPENED_KEY, [...this.opened(), local]);
      this.loaded = undefined;
      this.changed.fire();
    }
    return pack;
  }

  private async clone(url: string): Promise<string> {
    const root = join(this.context.globalStorageUri.fsPath, 'packs');
    mkdirSync(root, { recursive: true });
    const target = join(root, url.replace(/[^A-Za-z0-9._-]+/g, '_').slice(-80));
    if (existsSync(target)) return target;
    try {
      await promisify(execFile)('git', ['clone', '--depth', '1', url, target], { timeout: 120_000 });
    } catch (error) {
      const e = error as NodeJS.ErrnoException & { stderr?: string };
      throw new Error(e.code === 'ENOENT' ? 'git is not installed: download the pack as a folder or .zip instead.' : `git clone failed: ${(e.stderr ?? e.message).trim().split('\n').pop()}`);
    }
    return target;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
