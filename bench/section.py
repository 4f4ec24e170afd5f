"""Puts one stage's section into RESULTS.md between <!-- NAME:begin --> and <!-- NAME:end -->, replacing an older
one and leaving the rest of the file alone (bench/run.sh rewrites the top of the file on every run).

    python3 section.py RESULTS NAME SECTION_FILE
"""
import sys

path, name, section = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
try:
    text = open(path).read()
except FileNotFoundError:
    text = "# Benchmark results\n"
begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
block = begin + "\n" + section.strip() + "\n" + end + "\n"
if begin in text and end in text:
    text = text[:text.index(begin)] + block + text[text.index(end) + len(end):].lstrip("\n")
else:
    text = text.rstrip("\n") + "\n\n" + block
open(path, "w").write(text)
