// A submission is made of regular files and folders. Anything else a path can name is refused by what it is, and
// never opened: opening a named pipe for reading waits for a writer that may never come (a silent hang), and a
// device or a socket is no one's Python file.
import { constants, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';

/** What a path is, in words for a message: "a named pipe (FIFO)". */
export function fileTypeWords(stats: Stats): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isDirectory()) return 'a folder';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'neither a file nor a folder';
}

/**
 * Reads a file that was inspected as a regular one, without following a link and without blocking on a FIFO
 * swapped in since (O_NONBLOCK makes opening one return at once; the open file is then checked again).
 */
export async function readRegularFile(path: string): Promise<Buffer> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new Error(`it is ${fileTypeWords(stats)} now, not a regular file`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
