"""Linear-time evidence for regular expressions, by counting work, never by timing.

Two checks, usable by any test of this repository:

``analyse(pattern)`` walks the parsed pattern (``re._parser``/``sre_parse``) and lists what makes
a backtracking engine superlinear: an unbounded repeat nested inside another repeat, two
unbounded repeats in a row whose characters overlap (``\\w+\\w+``, ``.*x.*`` with x in ``.``),
and, for patterns used with ``search``/``findall``, an unbounded repeat at the start.

``run_counted(pattern, text, mode, budget)`` compiles the pattern into a small backtracking VM
(the same leftmost-first semantics as Python's ``re``: greedy and lazy repeats, alternation,
classes, anchors) and runs it on ``text`` counting VM steps; it stops as soon as the count passes
``budget`` and returns ``(matched, steps, exhausted)``. ``adversarial(pattern, size)`` builds the
inputs: each atom of the pattern repeated, the pattern's skeleton repeated, and the skeleton with
its last atom dropped (the near miss that makes backtracking retry), at ``size`` characters.

``check_linear(pattern, mode, sizes, factor, cap)`` does both and returns a list of problems
(empty when the pattern is linear on every input): the budget is ``factor * (len(seen) + 1)``
steps, where ``seen`` is the text after the caller's input cap (the bound the code applies
before the pattern sees the line).
"""
import re

try:
    from re import _parser as sre_parse          # Python 3.11+
    from re import _constants as sre_constants
except ImportError:                              # pragma: no cover - Python < 3.11
    import sre_parse
    import sre_constants

MAXREPEAT = sre_constants.MAXREPEAT
_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT)
EXPAND_LIMIT = 20000        # program size limit when bounded repeats are unrolled


# ---------------------------------------------------------------- character sets of nodes
def _cat_pred(cat):
    c = sre_constants
    table = {c.CATEGORY_DIGIT: str.isdigit, c.CATEGORY_SPACE: str.isspace,
             c.CATEGORY_WORD: lambda ch: ch.isalnum() or ch == "_"}
    neg = {c.CATEGORY_NOT_DIGIT: c.CATEGORY_DIGIT, c.CATEGORY_NOT_SPACE: c.CATEGORY_SPACE,
           c.CATEGORY_NOT_WORD: c.CATEGORY_WORD}
    if cat in table:
        return table[cat]
    if cat in neg:
        f = table[neg[cat]]
        return lambda ch: not f(ch)
    return lambda ch: False


def _in_pred(items):
    negate = False
    preds = []
    for op, av in items:
        if op is sre_constants.NEGATE:
            negate = True
        elif op is sre_constants.LITERAL:
            preds.append(lambda ch, v=chr(av): ch == v)
        elif op is sre_constants.RANGE:
            preds.append(lambda ch, lo=av[0], hi=av[1]: lo <= ord(ch) <= hi)
        elif op is sre_constants.CATEGORY:
            preds.append(_cat_pred(av))
    if negate:
        return lambda ch: not any(p(ch) for p in preds)
    return lambda ch: any(p(ch) for p in preds)


def _node_pred(op, av):
    """A predicate for a one-character node, or None when the node is not one character."""
    if op is sre_constants.LITERAL:
        return lambda ch, v=chr(av): ch == v
    if op is sre_constants.NOT_LITERAL:
        return lambda ch, v=chr(av): ch != v
    if op is sre_constants.ANY:
        return lambda ch: ch != "\n"
    if op is sre_constants.IN:
        return _in_pred(av)
    return None


SAMPLE = [chr(c) for c in range(32, 127)] + ["\t", "é", "ж", "月"]


def _first_chars(seq):
    """Characters (from SAMPLE) that can start a match of the parsed sequence ``seq``."""
    out = set()
    for op, av in seq:
        pred = _node_pred(op, av)
        if pred is not None:
            return out | set(ch for ch in SAMPLE if pred(ch))
        if op in _REPEATS:
            out |= _first_chars(av[2])
            if av[0] > 0:
                return out
            continue
        if op is sre_constants.SUBPATTERN:
            inner = av[-1]
            sub = _first_chars(inner)
            out |= sub
            if not _nullable(inner):
                return out
            continue
        if op is sre_constants.BRANCH:
            for alt in av[1]:
                out |= _first_chars(alt)
            return out
        if op is sre_constants.AT:
            continue
        return out
    return out


def _nullable(seq):
    for op, av in seq:
        if op in _REPEATS:
            if av[0] > 0 and not _nullable(av[2]):
                return False
        elif op is sre_constants.SUBPATTERN:
            if not _nullable(av[-1]):
                return False
        elif op is sre_constants.BRANCH:
            if not any(_nullable(a) for a in av[1]):
                return False
        elif op is sre_constants.AT:
            continue
        else:
            return False
    return True


def _has_unbounded(seq):
    for op, av in seq:
        if op in _REPEATS:
            if av[1] == MAXREPEAT or _has_unbounded(av[2]):
                return True
        elif op is sre_constants.SUBPATTERN and _has_unbounded(av[-1]):
            return True
        elif op is sre_constants.BRANCH and any(_has_unbounded(a) for a in av[1]):
            return True
    return False


# ---------------------------------------------------------------- the static analyser
def analyse(pattern, mode="match"):
    """Problems that make ``pattern`` superlinear on some input (empty list: none found)."""
    text = pattern.pattern if hasattr(pattern, "pattern") else pattern
    flags = pattern.flags if hasattr(pattern, "flags") else 0
    tree = sre_parse.parse(text, flags & ~re.UNICODE if isinstance(text, str) else flags)
    problems = []

    def nested(seq, inside_unbounded):
        for op, av in seq:
            if op in _REPEATS:
                unbounded = av[1] == MAXREPEAT
                if unbounded and (inside_unbounded or _has_unbounded(av[2])):
                    problems.append("nested unbounded repeat: %s" % text)
                nested(av[2], inside_unbounded or unbounded)
            elif op is sre_constants.SUBPATTERN:
                nested(av[-1], inside_unbounded)
            elif op is sre_constants.BRANCH:
                for alt in av[1]:
                    nested(alt, inside_unbounded)

    def tokens(seq):
        """The sequence flattened: ("rep", chars) for an unbounded repeat, ("char", chars) for a
        one-character node, ("reset",) for what ends an overlap (a branch of longer words)."""
        for op, av in seq:
            pred = _node_pred(op, av)
            if pred is not None:
                yield ("char", set(ch for ch in SAMPLE if pred(ch)))
            elif op in _REPEATS:
                if av[1] == MAXREPEAT:
                    yield ("rep", _first_chars(av[2]))
                else:
                    yield from tokens(av[2])        # a bounded body, once: what it can leave behind
            elif op is sre_constants.SUBPATTERN:
                yield from tokens(av[-1])
            elif op is sre_constants.BRANCH:
                alts = av[1]
                if all(len(a) <= 1 and all(_node_pred(o, v) is not None or o is sre_constants.AT for o, v in a)
                       for a in alts):
                    yield ("char", set().union(*[_first_chars(a) for a in alts]))
                else:
                    yield ("reset",)
            elif op is not sre_constants.AT:
                yield ("reset",)

    nested(list(tree), False)
    absorber = None
    for tok in tokens(list(tree)):
        if tok[0] == "rep":
            if absorber is not None and absorber & tok[1]:
                problems.append("overlapping unbounded repeats (only what both can match between them): %s" % text)
            absorber = tok[1]
        elif tok[0] == "char":
            if absorber is not None and not (absorber & tok[1]):
                absorber = None
        else:
            absorber = None
    if mode in ("search", "findall") and tree.data:
        op, av = tree.data[0]
        if op in _REPEATS and av[1] == MAXREPEAT:
            problems.append("unbounded repeat at the start of a searched pattern: %s" % text)
    return sorted(set(problems))


# ---------------------------------------------------------------- a step-counting VM
CHAR, SPLIT, JMP, MATCH, BOL, EOL, LOOK = range(7)


class _TooBig(Exception):
    pass


def _compile(seq, prog):
    for op, av in seq:
        pred = _node_pred(op, av)
        if pred is not None:
            prog.append((CHAR, pred))
        elif op in _REPEATS:
            lo, hi, body = av
            greedy = op is sre_constants.MAX_REPEAT
            for _pump in range(lo):
                _compile(body, prog)
            if hi == MAXREPEAT:
                loop = len(prog)
                prog.append(None)
                _compile(body, prog)
                prog.append((JMP, loop))
                out = len(prog)
                prog[loop] = (SPLIT, loop + 1, out) if greedy else (SPLIT, out, loop + 1)
            else:
                holes = []
                for _pump in range(hi - lo):
                    holes.append(len(prog))
                    prog.append(None)
                    _compile(body, prog)
                    if len(prog) > EXPAND_LIMIT:
                        raise _TooBig()
                out = len(prog)
                for h in holes:
                    prog[h] = (SPLIT, h + 1, out) if greedy else (SPLIT, out, h + 1)
        elif op is sre_constants.SUBPATTERN:
            _compile(av[-1], prog)
        elif op is sre_constants.BRANCH:
            alts = av[1]
            jumps = []
            for i, alt in enumerate(alts):
                if i < len(alts) - 1:
                    split = len(prog)
                    prog.append(None)
                    _compile(alt, prog)
                    jumps.append(len(prog))
                    prog.append(None)
                    prog[split] = (SPLIT, split + 1, len(prog))
                else:
                    _compile(alt, prog)
            for j in jumps:
                prog[j] = (JMP, len(prog))
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT) and av[0] == 1:
            # a lookahead: its own program, run at the position; its steps are counted
            sub = _compile(list(av[1]), [])
            sub.append((MATCH,))
            prog.append((LOOK, Program(sub), op is sre_constants.ASSERT_NOT))
        elif op is sre_constants.AT:
            if av in (sre_constants.AT_BEGINNING, sre_constants.AT_BEGINNING_STRING):
                prog.append((BOL,))
            elif av in (sre_constants.AT_END, sre_constants.AT_END_STRING):
                prog.append((EOL,))
        else:
            raise ValueError("regex_budget: unsupported node %s" % op)
        if len(prog) > EXPAND_LIMIT:
            raise _TooBig()
    return prog


class Program(list):
    """A compiled VM program (a list of instructions) with its fast tables, built once."""
    _tables = None

    def tables(self):
        if self._tables is None or self._tables[4] != len(self):
            ops = [ins[0] for ins in self]
            arg1 = [ins[1] if len(ins) > 1 else None for ins in self]
            arg2 = [ins[2] if len(ins) > 2 else None for ins in self]
            memo = [{} for _ins in self]          # CHAR: character -> accepted (a cache of arg1)
            # a greedy one-character loop: SPLIT(pc+1, out) / CHAR / JMP(pc)
            star = [ops[pc] == SPLIT and arg1[pc] == pc + 1 and pc + 2 < len(self)
                    and ops[pc + 1] == CHAR and ops[pc + 2] == JMP and arg1[pc + 2] == pc
                    for pc in range(len(self))]
            self._tables = (ops, arg1, arg2, memo, len(self), star, list(self))
        return self._tables


def compile_program(pattern):
    text = pattern.pattern if hasattr(pattern, "pattern") else pattern
    prog = _compile(list(sre_parse.parse(text)), [])
    prog.append((MATCH,))
    return Program(prog)


def _anchor_holds(op, text, pos, n, begin=0):
    """BOL/EOL at ``pos`` of the window [begin, n) (``$`` also before a final newline)."""
    if op == BOL:
        return pos == begin
    return pos == n or (pos == n - 1 and text[pos] == "\n")


def _look(ins, text, pos, budget, steps, window):
    """(holds, steps) of the lookahead ``ins`` = (LOOK, program, negate) at ``pos``."""
    ok, steps = _run_at_reference(ins[1], text, pos, budget, steps, window)
    return ok != ins[2], steps


def _run_at_reference(prog, text, start, budget, steps, window=None):
    """The plain VM, one instruction a loop turn (the definition of a step), on the window
    ``(begin, end)`` of ``text`` (default: all of it) as if it were the whole string."""
    stack = [(0, start)]
    begin, n = window or (0, len(text))
    while stack:
        pc, pos = stack.pop()
        while True:
            steps += 1
            if steps > budget:
                return False, steps
            ins = prog[pc]
            op = ins[0]
            if op == CHAR:
                if pos < n and ins[1](text[pos]):
                    pc += 1
                    pos += 1
                    continue
                break
            if op in (SPLIT, JMP):          # SPLIT: try ins[1], keep ins[2] for backtracking
                if op == SPLIT:
                    stack.append((ins[2], pos))
                pc = ins[1]
            elif op == MATCH:
                return True, steps
            elif op == LOOK:
                holds, steps = _look(ins, text, pos, budget, steps, (begin, n))
                if steps > budget:
                    return False, steps
                if not holds:
                    break
                pc += 1
            elif _anchor_holds(op, text, pos, n, begin):
                pc += 1
            else:
                break
    return False, steps


def _accepts(memo, pred, ch):
    ok = memo.get(ch)
    if ok is None:
        ok = memo[ch] = bool(pred(ch))
    return ok


def _run_at(tables, text, start, budget, steps, window):
    """The same VM and the same step count as ``_run_at_reference``, faster: character classes
    are cached per instruction, and a greedy one-character loop (``SPLIT``/``CHAR``/``JMP``)
    over k characters is taken in one turn that adds its 3k + 2 steps and its k + 1 backtrack
    entries exactly as the plain VM would."""
    ops, arg1, arg2, memo, _size, star, prog_of = tables
    stack = [(0, start)]
    begin, n = window
    pop = stack.pop
    push = stack.append
    while stack:
        pc, pos = pop()
        while True:
            if star[pc]:
                body = pc + 1
                cache, pred = memo[body], arg1[body]
                end = pos
                while end < n:
                    ok = cache.get(text[end])
                    if ok is None:
                        ok = _accepts(cache, pred, text[end])
                    if not ok:
                        break
                    end += 1
                k = end - pos
                if steps + 3 * k + 2 > budget:
                    return False, budget + 1
                steps += 3 * k + 2
                out = arg2[pc]
                stack.extend([(out, p) for p in range(pos, end)])
                pc, pos = out, end                 # the plain VM pops (out, end) next
                continue
            steps += 1
            if steps > budget:
                return False, steps
            op = ops[pc]
            if op == CHAR:
                if pos < n:
                    cache = memo[pc]
                    ok = cache.get(text[pos])
                    if ok is None:
                        ok = _accepts(cache, arg1[pc], text[pos])
                    if ok:
                        pc += 1
                        pos += 1
                        continue
                break
            if op == SPLIT:
                push((arg2[pc], pos))
                pc = arg1[pc]
                continue
            if op == JMP:
                pc = arg1[pc]
                continue
            if op == MATCH:
                return True, steps
            if op == LOOK:
                holds, steps = _look(prog_of[pc], text, pos, budget, steps, window)
                if steps > budget:
                    return False, steps
                if not holds:
                    break
                pc += 1
                continue
            if _anchor_holds(op, text, pos, n, begin):
                pc += 1
                continue
            break
    return False, steps


_CHARSET = [None, None]      # (text, set of its characters): the last text seen, kept once


def _charset(text):
    if _CHARSET[0] is not text:
        _CHARSET[:] = [text, frozenset(text)]
    return _CHARSET[1]


def run_counted(pattern, text, mode="match", budget=10 ** 7, prog=None, reference=False,
                pos=0, endpos=None):
    """(matched, steps, exhausted) of ``pattern`` on ``text``: ``match`` tries position 0,
    ``search`` every position until a match, ``findall`` every position. ``reference=True``
    runs the plain VM (same result and count, slower; the fast one is tested against it).
    ``pos``/``endpos``: run on that window as if it were the whole string (the count of
    ``text[pos:endpos]`` without copying it)."""
    prog = prog if prog is not None else compile_program(pattern)
    if not isinstance(prog, Program):
        prog = Program(prog)
    tables = prog.tables()
    ops, arg1, memo = tables[0], tables[1], tables[3]
    steps = 0
    n = len(text) if endpos is None else min(endpos, len(text))
    window = (pos, n)
    matched = False
    skipping = False
    if mode == "match":
        starts = [pos]
    elif ops[0] == CHAR and not reference:
        # a start whose first character fails costs the plain VM exactly one step: skip such
        # runs with a character class of the accepted characters, and add one step for each
        accepted = "".join(sorted(ch for ch in _charset(text) if _accepts(memo[0], arg1[0], ch)))
        if not accepted:
            steps = n - pos + 1
            return False, min(steps, budget + 1), steps > budget
        finder = re.compile("[%s]" % "".join("\\" + c if c in "\\]^-[" else c for c in accepted))
        starts = _candidate_starts(finder, text, pos, n)
        skipping = True
    else:
        starts = range(pos, n + 1)
    last = pos - 1
    for start in starts:
        if start > last + 1:                     # skipped starts, one step each
            steps += start - last - 1
            if steps > budget:
                return matched, budget + 1, True
        last = start
        if skipping and start == n:
            steps += 1                           # the start at the end: its CHAR fails
            if steps > budget:
                return matched, steps, True
            continue
        if reference:
            ok, steps = _run_at_reference(prog, text, start, budget, steps, window)
        else:
            ok, steps = _run_at(tables, text, start, budget, steps, window)
        if steps > budget:
            return matched, steps, True
        if ok:
            matched = True
            if mode == "search":
                break
    return matched, steps, False


def _candidate_starts(finder, text, pos, endpos):
    """Positions in [pos, endpos) whose character ``finder`` accepts, then endpos."""
    for hit in finder.finditer(text, pos, endpos):
        yield hit.start()
    yield endpos


# ---------------------------------------------------------------- adversarial inputs
def _atom_samples(seq, out):
    for op, av in seq:
        pred = _node_pred(op, av)
        if pred is not None:
            for ch in SAMPLE:
                if pred(ch):
                    out.append(ch)
                    break
        elif op in _REPEATS:
            _atom_samples(av[2], out)
        elif op is sre_constants.SUBPATTERN:
            _atom_samples(av[-1], out)
        elif op is sre_constants.BRANCH:
            _atom_samples(av[1][0], out)
    return out


def adversarial(pattern, size):
    """Inputs of ``size`` characters built from the pattern's own atoms."""
    text = pattern.pattern if hasattr(pattern, "pattern") else pattern
    atoms = _atom_samples(list(sre_parse.parse(text)), [])
    if not atoms:
        return ["a" * size]
    skeleton = "".join(atoms)
    near = "".join(atoms[:-1]) or atoms[0]
    inputs = [(skeleton * (size // len(skeleton) + 1))[:size],
              (near * (size // len(near) + 1))[:size]]
    for ch in sorted(set(atoms)):
        inputs.append(ch * size)
    for a, b in zip(atoms, atoms[1:]):
        inputs.append(((a + b) * (size // 2 + 1))[:size])
    return inputs


def check_linear(pattern, mode="match", sizes=(10 * 1024, 1024 * 1024), factor=64, cap=None):
    """Problems of ``pattern`` (analyser findings and budget overruns); [] when linear."""
    problems = list(analyse(pattern, mode))
    try:
        prog = compile_program(pattern)
    except _TooBig:
        return problems + ["program too large to unroll: %s" % getattr(pattern, "pattern", pattern)]
    for size in sizes:
        for text in adversarial(pattern, size):
            seen = text[:cap] if cap else text
            budget = factor * (len(seen) + 1) + 4 * len(prog)
            _m, steps, exhausted = run_counted(pattern, seen, mode, budget, prog)
            if exhausted:
                problems.append("over budget (%d steps > %d) on %d chars of %r...: %s" % (
                    steps, budget, len(seen), seen[:24], getattr(pattern, "pattern", pattern)))
                break
    return problems
