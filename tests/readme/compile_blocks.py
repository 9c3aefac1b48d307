#!/usr/bin/env python3
"""readme.cpp_blocks: every ```cpp block of README.md compiles (and a whole
program runs), so the documentation cannot rot.

    compile_blocks.py README OUT_DIR CXX -- FLAGS...   (FLAGS: include paths, defines)

The convention (README, "Docs that compile"):
  - a block with `int main(` is a whole program: compiled, linked and run;
    it must exit 0 (README's are offline, against the in-process fake);
  - any other block is a fragment: an HTML comment right before its fence,
    `<!-- readme-cpp: context=NAME -->`, names tests/readme/context/NAME.hpp,
    which declares what the fragment uses but does not show (`now()`, a
    `config`, ...). The fragment's #include lines go first, then the context,
    then the rest of the block as the body of a function (`int argc, char**
    argv` in scope); it must compile (-c).
A block without main and without a context comment fails the test.
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CONTEXT_RE = re.compile(r"<!--\s*readme-cpp:\s*context=([A-Za-z0-9_]+)\s*-->")


def blocks(text):
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```cpp":
            start = i + 1
            j = start
            while j < len(lines) and lines[j].strip() != "```":
                j += 1
            context = None
            for k in range(max(0, i - 3), i):
                m = CONTEXT_RE.search(lines[k])
                if m:
                    context = m.group(1)
            yield start + 1, context, lines[start:j]
            i = j
        i += 1


def main(argv):
    if len(argv) < 5 or argv[4] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    readme, out_dir, cxx, flags = argv[1], argv[2], argv[3], argv[5:]
    os.makedirs(out_dir, exist_ok=True)
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    failures = 0
    count = 0
    for line, context, body in blocks(text):
        count += 1
        name = "readme_line_%d" % line
        source = os.path.join(out_dir, name + ".cpp")
        whole = any("int main(" in l for l in body)
        if whole:
            code = "\n".join(body) + "\n"
        elif context is None:
            print("README.md:%d: a ```cpp fragment without `<!-- readme-cpp: context=NAME -->` "
                  "before it (or make it a whole program)" % line)
            failures += 1
            continue
        else:
            includes = [l for l in body if l.lstrip().startswith("#include")]
            rest = [l for l in body if not l.lstrip().startswith("#include")]
            code = "\n".join(includes) + "\n"
            code += '#include "%s"\n' % os.path.join(HERE, "context", context + ".hpp")
            code += "[[maybe_unused]] int readme_block([[maybe_unused]] int argc, [[maybe_unused]] char** argv) {\n"
            code += '#line %d "README.md"\n' % line
            code += "\n".join(rest) + "\n  return 0;\n}\n"
        with open(source, "w", encoding="utf-8") as f:
            f.write(code)
        if whole:
            exe = os.path.join(out_dir, name)
            cmd = [cxx, "-std=c++17", *flags, "-o", exe, source]
        else:
            cmd = [cxx, "-std=c++17", *flags, "-c", "-o", os.path.join(out_dir, name + ".o"), source]
        result = subprocess.run(cmd)
        if result.returncode != 0:
            print("README.md:%d: the block does not compile (%s)" % (line, source))
            failures += 1
            continue
        if whole:
            run = subprocess.run([exe])
            if run.returncode != 0:
                print("README.md:%d: the program exited %d" % (line, run.returncode))
                failures += 1
                continue
        print("README.md:%d: ok (%s)" % (line, "program, ran" if whole else "fragment, context " + context))
    if count == 0:
        print("README.md has no ```cpp block: nothing checked")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
