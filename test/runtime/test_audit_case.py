"""The audit hook's private folders on file systems that ignore case (Windows, macOS): a path that differs only
in case names the same folder there, so it is refused the same; where case matters, it is another folder."""

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

from test.runtime.worker_client import RUNTIME, remove

PROBE = textwrap.dedent("""
    import json, os, sys
    from gradlab.sandbox import audit
    workdir, pack, ignore_case = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
    upper = lambda path: os.path.join(os.path.dirname(path), os.path.basename(path).upper())
    policy = audit.install(workdir, [(pack, "the exercise pack")], ignore_case=ignore_case)
    outcomes = {}
    for name, path, mode in (("pack", os.path.join(pack, "ref.py"), "r"),
                             ("pack-upper", os.path.join(upper(pack), "ref.py"), "r"),
                             ("own-upper", os.path.join(upper(workdir), "out.txt"), "w")):
        try:
            open(path, mode).close()
            outcomes[name] = "allowed"
        except audit.ForbiddenAction as error:
            outcomes[name] = str(error)
        except OSError as error:
            outcomes[name] = type(error).__name__
    print(json.dumps(outcomes))
""")


def upper(path):
    """The path with its last part in capitals (the same folder where case is ignored)."""
    return os.path.join(os.path.dirname(path), os.path.basename(path).upper())


class CaseInsensitivePrivateFolders(unittest.TestCase):
    def setUp(self):
        self.tmp = os.path.realpath(tempfile.mkdtemp(prefix="gradlab-case-"))
        self.addCleanup(remove, self.tmp)
        self.workdir = os.path.join(self.tmp, "check work")
        self.pack = os.path.join(self.tmp, "zoë pack")
        # the upper-case twins exist too, so that only the hook can refuse them on this case-sensitive system
        for folder in (self.workdir, self.pack, upper(self.workdir), upper(self.pack)):
            os.makedirs(folder, exist_ok=True)
        for folder in (self.pack, upper(self.pack)):
            with open(os.path.join(folder, "ref.py"), "w", encoding="utf-8") as f:
                f.write("ANSWER = 42\n")

    def outcomes(self, ignore_case):
        done = subprocess.run([sys.executable, "-c", PROBE, self.workdir, self.pack, "1" if ignore_case else "0"],
                              env={**os.environ, "PYTHONPATH": RUNTIME}, capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        return json.loads(done.stdout)

    def test_where_case_is_ignored_a_private_folder_in_another_case_is_refused_and_the_own_folder_is_writable(self):
        outcomes = self.outcomes(ignore_case=True)
        self.assertIn("the exercise pack", outcomes["pack"])
        self.assertIn("the exercise pack", outcomes["pack-upper"])
        self.assertEqual(outcomes["own-upper"], "allowed")

    def test_where_case_matters_a_folder_in_another_case_is_another_folder(self):
        outcomes = self.outcomes(ignore_case=False)
        self.assertIn("the exercise pack", outcomes["pack"])
        self.assertEqual(outcomes["pack-upper"], "allowed")
        self.assertIn("outside the check's own working folder", outcomes["own-upper"])


if __name__ == "__main__":
    unittest.main()
