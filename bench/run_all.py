"""Run every benchmark in bench/ in turn (each prints its figures beside a peer's)."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    scripts = sorted(name for name in os.listdir(HERE)
                     if name.endswith(".py") and name != os.path.basename(__file__))
    failed = []
    for name in scripts:
        print("==> bench/%s" % name, flush=True)
        if subprocess.call([sys.executable, os.path.join(HERE, name)]) != 0:
            failed.append(name)
    if failed:
        print("benchmarks that failed: %s" % ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
