"""The command line a training script accepts, read from its own argparse parser without training anything.

``python <runtime>/launch.py gradlab.argspec <script>`` runs the script as ``__main__`` with argparse's parsing
replaced: the first ``parse_args`` (or ``parse_known_args``) call prints the parser's arguments as one JSON line
after ``MARK`` and exits 0, so only the script's imports and the code before that call run. A script that ends
without parsing prints ``{"parsed": false}``. `gradlab validate` compares the pack's declared parameters with it.
"""

import argparse
import json
import os
import runpy
import sys

MARK = "gradlab-argspec:"


def describe(parser):
    arguments = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        arguments.append({
            "dest": action.dest,
            "flags": list(action.option_strings),
            "nargs": action.nargs,
            "takesValue": action.nargs != 0,
            "type": getattr(action.type, "__name__", None),
            "choices": [str(c) for c in action.choices] if action.choices is not None else None,
            "default": action.default if isinstance(action.default, (str, int, float, bool)) else None,
        })
    return {"parsed": True, "arguments": arguments}


def report(parser, *args, **kwargs):
    sys.stdout.write(MARK + json.dumps(describe(parser)) + "\n")
    sys.stdout.flush()
    os._exit(0)  # nothing of the script after its parsing may run


def main():
    script = os.path.abspath(sys.argv[1])
    sys.argv = [script]
    sys.path.insert(0, os.path.dirname(script))
    argparse.ArgumentParser.parse_args = report
    argparse.ArgumentParser.parse_known_args = report
    runpy.run_path(script, run_name="__main__")
    sys.stdout.write(MARK + json.dumps({"parsed": False}) + "\n")


if __name__ == "__main__":
    main()
