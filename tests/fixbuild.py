"""The build oracle: Go setup code that compiles, fixed by `--fix`, must still compile.

A `Program` is one package of setup code for one or two services: how the build's name is
dropped (`Drop`), how the deploy helper deploys its image (`Deploy`), how it is declared and
used (`SIGNATURES`: a variadic helper, a method, a method an interface names, a function value),
how many times and from how many files it is called. `render` writes it as Go source; `check_batch` puts many programs
in one module (each twice: one copy for `--fix`, one for `--fix --unsafe-fixes`), runs the Go
toolchain once per step for the whole batch, and says what happened to each program.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from pathlib import Path

from hypothesis import strategies as st
from samples import chdir
from support import run_go

from imagetag_lint.cli import main
from imagetag_lint.record import record

# "if-init-typed": a later `err :=` of the block declares a `*PreflightError`; "if-init-error": an `error`
DROPS = ("if-init", "if-init-typed", "if-init-error", "blank", "assign", "bare", "closure", "goroutine", "wrapper", "expect")
# "local*": the helper holds its image in a local (`ref := ...`, `var ref = ...`, `ref := "..." + "..."`,
# `ref, tag := ...`); "inline-local": the setup function deploys such a local itself
DEPLOYS = (
    "literal", "constant", "sprintf", "raw-yaml", "parameter", "parameter-var", "parameter-const",
    "local", "local-var", "local-concat", "local-pair", "inline-local",
)
SERVICES = ("alpha", "beta")
# how the deploy helper is declared and used: a function, one with `args ...string` last, a method,
# a method an interface names, a function also used as a value
SIGNATURES = ("plain", "variadic", "method", "interface-method", "value")

MODULE = "example.com/fixbuild"
INFRASTRUCTURE = """package infrastructure

import "io"

type ImageBuildConfig struct{ ImageName string }

func BuildAndLoadImageToKind(cfg ImageBuildConfig, w io.Writer) (string, error) {
	return "localhost/" + cfg.ImageName + ":e2e-1", nil
}

func BuildImageForKind(cfg ImageBuildConfig, w io.Writer) (string, error) {
	return "localhost/" + cfg.ImageName + ":e2e-2", nil
}

type PreflightError struct{ Reason string }

func (e *PreflightError) Error() string { return e.Reason }

func Preflight() *PreflightError { return nil }

func Check() error { return nil }
"""
K8S = """package k8s

import "context"

type Container struct {
	Name  string
	Image string
}

func Apply(ctx context.Context, c Container) error { return nil }

func ApplyYAML(ctx context.Context, manifest string) error { return nil }
"""


@record(frozen=True)
class Service:
    """One image: built (its name dropped) and deployed by a helper."""

    name: str
    drop: str  # one of DROPS
    deploy: str  # one of DEPLOYS
    calls: int  # deploy-helper calls in the setup function
    other_file_calls: int  # calls from another function, in other.go or (same_file_caller) setup.go
    helper_in_other_file: bool  # the deploy helper lives in deploy.go
    same_file_caller: bool = False  # the other function lives in setup.go
    helper_package: bool = False  # the helper is exported from the subpackage `deploy`
    signature: str = "plain"  # one of SIGNATURES

    @property
    def helper(self) -> str:
        """The helper where it is called (its callers all live in the building package)."""
        prefix = "deploy." if self.helper_package else ""
        if self.method:
            return f"{prefix}{_component(self)}.{_helper_name(self)}"
        return prefix + _helper_name(self)

    @property
    def method(self) -> bool:
        return self.signature in ("method", "interface-method")


@record(frozen=True)
class Program:
    services: tuple[Service, ...]

    @property
    def shape(self) -> str:
        return "; ".join(
            f"{s.name}: drop={s.drop} deploy={s.deploy} calls={s.calls}+{s.other_file_calls}"
            + (" (other caller in setup.go)" if s.other_file_calls and s.same_file_caller else "")
            + (" helper-in-package-deploy" if s.helper_package else " helper-in-deploy.go" if s.helper_in_other_file else "")
            + (f" {s.signature}" if s.signature != "plain" else "")
            for s in self.services
        )


@st.composite
def services(draw: st.DrawFn, name: str) -> Service:
    return Service(
        name=name,
        drop=draw(st.sampled_from(DROPS)),
        deploy=draw(st.sampled_from(DEPLOYS)),
        calls=draw(st.integers(1, 3)),
        other_file_calls=draw(st.integers(0, 2)),
        helper_in_other_file=draw(st.booleans()),
        same_file_caller=draw(st.booleans()),
        helper_package=draw(st.booleans()),
        signature=draw(st.sampled_from(SIGNATURES)),
    )


@st.composite
def programs(draw: st.DrawFn) -> Program:
    count = draw(st.integers(1, len(SERVICES)))
    return Program(tuple(draw(services(name)) for name in SERVICES[:count]))


def _title(name: str) -> str:
    return name[0].upper() + name[1:]


def _helper_name(service: Service) -> str:
    return f"Deploy{_title(service.name)}" if service.helper_package else f"deploy{_title(service.name)}"


def _receiver(service: Service) -> str:
    """The type whose method the helper is (exported with an exported helper)."""
    return f"{_title(service.name)}Deployer" if service.helper_package else f"{service.name}Deployer"


def _component(service: Service) -> str:
    """The package variable of that type the callers call the method on."""
    return f"{_title(service.name)}Component" if service.helper_package else f"{service.name}Component"


def _image(service: Service) -> str:
    return f"localhost/{service.name}:e2e-test"


def _build_call(service: Service) -> str:
    config = f'infrastructure.ImageBuildConfig{{ImageName: "{service.name}"}}'
    if service.drop == "wrapper":
        return f"build{_title(service.name)}(w)"
    return f"infrastructure.BuildAndLoadImageToKind({config}, w)"


def _drop(service: Service) -> str:
    """Statements of the setup function that build the image and drop its name."""
    call = _build_call(service)
    if service.drop in ("if-init", "wrapper"):
        return f"\tif _, err := {call}; err != nil {{\n\t\treturn err\n\t}}\n"
    if service.drop in ("if-init-typed", "if-init-error"):
        later = "Preflight" if service.drop == "if-init-typed" else "Check"
        return (
            f"\tif _, err := {call}; err != nil {{\n\t\treturn err\n\t}}\n"
            f"\terr := infrastructure.{later}()\n\tif err != nil {{\n\t\treturn err\n\t}}\n"
        )
    if service.drop == "blank":
        return f"\t{{\n\t\t_, err := {call}\n\t\tif err != nil {{\n\t\t\treturn err\n\t\t}}\n\t}}\n"
    if service.drop == "assign":  # `=` to an error declared before
        return f"\tvar {service.name}Err error\n\t_, {service.name}Err = {call}\n\tif {service.name}Err != nil {{\n\t\treturn {service.name}Err\n\t}}\n"
    if service.drop == "bare":
        return f"\t{call}\n"
    if service.drop == "closure":
        return (
            f"\tbuild{_title(service.name)}Image := func() error {{\n\t\t_, err := {call}\n\t\treturn err\n\t}}\n"
            f"\tif err := build{_title(service.name)}Image(); err != nil {{\n\t\treturn err\n\t}}\n"
        )
    if service.drop == "goroutine":
        errs = f"{service.name}Errs"
        return (
            f"\t{errs} := make(chan error, 1)\n\tgo func() {{\n\t\t_, err := {call}\n\t\t{errs} <- err\n\t}}()\n"
            f"\tif err := <-{errs}; err != nil {{\n\t\treturn err\n\t}}\n"
        )
    if service.drop == "expect":  # both results handed to a checker
        return f"\t_ = Must({call})\n"
    raise AssertionError(service.drop)


def _deploy_arguments(service: Service, in_setup: bool) -> str:
    flags = ("" if service.signature != "variadic" else ', "--verbose"' if in_setup else ", flags...")
    if service.deploy in ("parameter", "inline-local"):
        return f'ctx, w, "{_image(service)}"' + flags
    if service.deploy == "parameter-var":
        return (f"ctx, w, {service.name}Ref" if in_setup else f'ctx, w, "{_image(service)}"') + flags
    if service.deploy == "parameter-const":
        return f"ctx, w, {_default(service)}" + flags
    return "ctx, w" + flags


def _setup(service: Service) -> str:
    title = _title(service.name)
    body = _drop(service)
    if service.deploy == "parameter-var":
        body += f'\t{service.name}Ref := "{_image(service)}"\n'
    if service.deploy == "inline-local":
        body += f'\t{service.name}Ref := "{_image(service)}"\n'
    for _ in range(service.calls):
        if service.deploy == "inline-local":
            container = f'k8s.Container{{Name: "{service.name}", Image: {service.name}Ref}}'
            body += f"\tif err := k8s.Apply(ctx, {container}); err != nil {{\n\t\treturn err\n\t}}\n"
            continue
        body += f"\tif err := {service.helper}({_deploy_arguments(service, True)}); err != nil {{\n\t\treturn err\n\t}}\n"
    return f"func Setup{title}(ctx context.Context, w io.Writer) error {{\n{body}\treturn nil\n}}\n"


def _default(service: Service) -> str:
    """The constant a parameter-const helper's callers pass (exported beside an exported helper)."""
    return f"deploy.{_title(service.name)}Default" if service.helper_package else f"{service.name}Default"


def _helper(service: Service) -> str:
    image = _image(service)
    container = f'k8s.Container{{Name: "{service.name}", Image: %s}}'
    if service.deploy == "literal":
        body = f"\treturn k8s.Apply(ctx, {container % repr_go(image)})\n"
    elif service.deploy == "constant":
        body = f"\treturn k8s.Apply(ctx, {container % (service.name + 'Image')})\n"
    elif service.deploy == "sprintf":
        manifest = (
            "apiVersion: v1\\nkind: Pod\\nmetadata:\\n  name: %s\\nspec:\\n  containers:\\n"
            f"  - name: %s\\n    image: {image}\\n"
        )
        body = (
            f'\tmanifest := fmt.Sprintf("{manifest}", "{service.name}", "{service.name}")\n'
            "\tfmt.Fprintln(w, manifest)\n\treturn k8s.ApplyYAML(ctx, manifest)\n"
        )
    elif service.deploy.startswith("local"):
        body = _local(service, container)
    elif service.deploy == "raw-yaml":
        body = (
            "\tmanifest := `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n"
            f"  - name: {service.name}\n    image: {image}\n`\n\treturn k8s.ApplyYAML(ctx, manifest)\n"
        )
    else:  # the image arrives as a parameter
        body = f"\treturn k8s.Apply(ctx, {container % 'image'})\n"
    takes_image = service.deploy.startswith("parameter") or service.deploy == "inline-local"
    parameters = "ctx context.Context, w io.Writer" + (", image string" if takes_image else "")
    if service.signature == "variadic":
        parameters += ", args ...string"
        body = "\t_ = args\n" + body
    if service.deploy in ("literal", "constant", "raw-yaml") or service.deploy.startswith("local"):
        body = "\t_ = w\n" + body
    constant = f'const {service.name}Image = "{image}"\n\n' if service.deploy == "constant" else ""
    if service.deploy == "parameter-const":
        constant = f'const {_default(service).removeprefix("deploy.")} = "{image}"\n\n'
    name = _helper_name(service)
    if not service.method:
        return f"{constant}func {name}({parameters}) error {{\n{body}}}\n"
    receiver = _receiver(service)
    declared = f"type {receiver} struct{{}}\n\nvar {_component(service)} = {receiver}{{}}\n\n"
    if service.signature == "interface-method":  # the method satisfies it: its signature is fixed
        runner = receiver.replace("Deployer", "Runner")
        declared += f"type {runner} interface {{\n\t{name}({parameters}) error\n}}\n\nvar _ {runner} = {receiver}{{}}\n\n"
    return f"{constant}{declared}func ({receiver}) {name}({parameters}) error {{\n{body}}}\n"


def _local(service: Service, container: str) -> str:
    """A helper body that holds its image in a local before it deploys it."""
    image = _image(service)
    if service.deploy == "local-var":
        return f"\tvar ref = {repr_go(image)}\n\treturn k8s.Apply(ctx, {container % 'ref'})\n"
    if service.deploy == "local-concat":
        head, tail = image.split("/", 1)
        return f"\tref := {repr_go(head + '/')} + {repr_go(tail)}\n\treturn k8s.Apply(ctx, {container % 'ref'})\n"
    if service.deploy == "local-pair":
        return (
            f'\tref, tag := {repr_go(image)}, "e2e-test"\n\tfmt.Fprintln(w, tag)\n'
            f"\treturn k8s.Apply(ctx, {container % 'ref'})\n"
        )
    return f"\tref := {repr_go(image)}\n\treturn k8s.Apply(ctx, {container % 'ref'})\n"


def _wrapper(service: Service) -> str:
    config = f'infrastructure.ImageBuildConfig{{ImageName: "{service.name}"}}'
    return (
        f"func build{_title(service.name)}(w io.Writer) (string, error) {{\n"
        f"\treturn infrastructure.BuildAndLoadImageToKind({config}, w)\n}}\n"
    )


def _other(service: Service) -> str:
    title = _title(service.name)
    calls = "".join(
        f"\tif err := {service.helper}({_deploy_arguments(service, False)}); err != nil {{\n\t\treturn err\n\t}}\n"
        for _ in range(service.other_file_calls)
    )
    if service.signature == "variadic":  # the other calls pass their flags on with a spread
        calls = '\tflags := []string{"--debug"}\n' + calls
    return f"func Redeploy{title}(ctx context.Context, w io.Writer) error {{\n{calls}\treturn nil\n}}\n"


def repr_go(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


MUST = "func Must(image string, err error) string {\n\tif err != nil {\n\t\tpanic(err)\n\t}\n\treturn image\n}\n"


def render(program: Program, package: str, path: str) -> dict[str, str]:
    """The package's files by name (path is its import path), each with exactly the imports it
    uses; a helper in the subpackage `deploy` is in deploy/deploy.go."""
    parts: dict[str, list[str]] = {"setup.go": [], "deploy.go": [], "other.go": [], "deploy/deploy.go": []}
    for service in program.services:
        parts["setup.go"].append(_setup(service))
        home = "deploy/deploy.go" if service.helper_package else "deploy.go" if service.helper_in_other_file else "setup.go"
        parts[home].append(_helper(service))
        if service.drop == "wrapper":
            parts["setup.go"].append(_wrapper(service))
        if service.signature == "value":  # the helper is also a function value, called as one
            title = _title(service.name)
            parts["setup.go"].append(
                f"var redeploy{title} = {service.helper}\n\n"
                f"func Chaos{title}(ctx context.Context, w io.Writer) error {{\n"
                f"\treturn redeploy{title}({_deploy_arguments(service, False)})\n}}\n"
            )
        if service.other_file_calls:
            parts["setup.go" if service.same_file_caller else "other.go"].append(_other(service))
    if any(s.drop == "expect" for s in program.services):
        parts["setup.go"].append(MUST)
    return {
        name: _file("deploy" if name.startswith("deploy/") else package, "\n".join(chunks), path)
        for name, chunks in parts.items()
        if chunks
    }


def _file(package: str, body: str, path: str) -> str:
    imports = [
        name for name, use in (("context", "context."), ("fmt", "fmt."), ("io", "io."))
        if use in body
    ] + [f"{MODULE}/{name}" for name in ("infrastructure", "k8s") if f"{name}." in body]
    if re.search(r"\bdeploy\.[A-Z]", body):
        imports.append(f"{path}/deploy")
    block = "".join(f'\t"{path}"\n' for path in imports)
    return f"package {package}\n\nimport (\n{block})\n\n{body}"


# -- running a batch --------------------------------------------------------------------------------

VARIANTS = {"safe": ("--fix",), "unsafe": ("--fix", "--unsafe-fixes")}


@record
class Outcome:
    """What the fixer did to one program, in one variant."""

    program: Program
    variant: str
    package: str
    changed: bool = False
    build_errors: str = ""  # go build / go vet output for this package after the fix
    unstable: bool = False  # a second --fix changed it again

    @property
    def broken(self) -> bool:
        return bool(self.build_errors)


def write_module(root: Path, programs: list[Program]) -> dict[str, Path]:
    """The module with every program in both variants; package directory by `variant/pN`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "go.mod").write_text(f"module {MODULE}\n\ngo 1.22\n")
    for name, text in (("infrastructure/infra.go", INFRASTRUCTURE), ("k8s/k8s.go", K8S)):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    packages = {}
    for variant in VARIANTS:
        for index, program in enumerate(programs):
            directory = root / variant / f"p{index}"
            directory.mkdir(parents=True)
            for name, text in render(program, f"p{index}", f"{MODULE}/{variant}/p{index}").items():
                (directory / name).parent.mkdir(exist_ok=True)
                (directory / name).write_text(text)
            packages[f"{variant}/p{index}"] = directory
    return packages


def go_failures(root: Path) -> dict[str, str]:
    """`go build ./...` then `go vet ./...`: the output for each failing package, by `variant/pN`."""
    failures: dict[str, str] = {}
    for command in (["build", "./..."], ["vet", "./..."]):
        result = run_go(command, root)
        if result.returncode == 0:
            continue
        for package, text in _by_package(result.stderr).items():
            failures.setdefault(package, f"go {command[0]}: {text}")
        if not failures:
            raise AssertionError(f"go {command[0]} failed outside the generated packages:\n{result.stderr}")
    return failures


_HEADER = re.compile(rf"^# {re.escape(MODULE)}/((?:safe|unsafe)/p\d+)\S*$", re.MULTILINE)
_LOCATION = re.compile(r"^(?:vet: )?\.?/?((?:safe|unsafe)/p\d+)/", re.MULTILINE)


def _by_package(output: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for block in re.split(r"(?=^# )", output, flags=re.MULTILINE):
        header = _HEADER.search(block)
        if header:
            found[header.group(1)] = found.get(header.group(1), "") + block
            continue
        for match in _LOCATION.finditer(block):
            found[match.group(1)] = found.get(match.group(1), "") + block
    return found


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.go"))}


def fix(root: Path, variant: str) -> int:
    out, err = io.StringIO(), io.StringIO()
    with chdir(root), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([variant, *VARIANTS[variant], "--isolated", "--quiet"])
    assert "internal error" not in err.getvalue() and "Traceback" not in err.getvalue(), err.getvalue()
    return code


def check_batch(root: Path, batch: list[Program]) -> list[Outcome]:
    """Every program of the batch, fixed in both variants, with what the Go toolchain said."""
    packages = write_module(root, batch)
    before_fix = go_failures(root)
    assert not before_fix, f"a generated program does not compile: {before_fix}"
    before = snapshot(root)
    for variant in VARIANTS:
        fix(root, variant)
    after = snapshot(root)
    failures = go_failures(root)
    for name, text in after.items():  # a fix that compiles may still deploy a flag as the image
        if name.endswith(".go") and b'"--verbose", ' in text:
            key = "/".join(name.split("/")[:2])
            failures[key] = failures.get(key, "") + f"{name}: an argument after the flags: the image is deployed as a flag\n"
    for variant in VARIANTS:
        fix(root, variant)
    again = snapshot(root)
    outcomes = []
    for key in packages:
        variant, package = key.split("/")
        prefix = key + "/"
        names = [name for name in after if name.startswith(prefix)]
        outcomes.append(
            Outcome(
                program=batch[int(package[1:])],
                variant=variant,
                package=key,
                changed=any(before.get(n) != after[n] for n in names),
                build_errors=failures.get(key, ""),
                unstable=any(after[n] != again.get(n) for n in names),
            )
        )
    return outcomes


@contextlib.contextmanager
def fresh(directory: Path) -> Iterator[Path]:
    import shutil
    import tempfile

    root = Path(tempfile.mkdtemp(dir=directory))
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)
