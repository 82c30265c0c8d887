"""The package index: declarations across files and packages, and what the rules infer from them.

Files are added as they are read; a package's other files and imported local packages are
loaded on demand through a `Loader`, so a one-file run still resolves deploy functions in
sibling files and wrappers in other packages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Protocol

from imagetag_lint.golang.lexing import word_offsets
from imagetag_lint.golang.model import (
    Function,
    SourceFile,
    read_function,
    read_spec_closures,
)
from imagetag_lint.golang.parser import Node, text
from imagetag_lint.golang.syntax import callee, declaration_specs, generic_callee
from imagetag_lint.record import field, record

PackageKey = tuple[str, str]  # (absolute directory, package name)
_TYPE_NAME = re.compile(r"\*?(?:(\w+)\.)?(\w+)(?:\[.*\])?", re.DOTALL)  # `*cluster.Cluster[T]` -> `cluster`, `Cluster`
_RECEIVER_TYPE = re.compile(r"\(\s*(?:\w+\s+)?\*?\s*(\w+)")  # `(c *Cluster)` -> `Cluster`
# Go's predeclared types: they have no methods the index holds, nor a declaration to look for
PREDECLARED_TYPES = frozenset({
    "any", "bool", "byte", "comparable", "complex64", "complex128", "error", "float32", "float64", "int", "int8",
    "int16", "int32", "int64", "rune", "string", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr",
})
_WORDS = re.compile(rb"[A-Za-z0-9_\x80-\xff]+")  # the words of a source, as `lexing.word_offsets` bounds them


class Loader(Protocol):
    def load_directory(self, directory: str, token: bytes | None) -> list[SourceFile]:
        """Parse the not yet loaded Go files of directory that pass the prefilter (or hold token)."""

    def directory_for_import(self, import_path: str, from_directory: str) -> str | None:
        """The directory of a package of the linted module, or None for external packages."""

    def unfollowed_module(self, import_path: str, from_directory: str) -> str | None:
        """The module of the import path that the go.mod replaces by a local directory the
        resolution does not follow (beside or below the module), or None."""

    def load_mentioning(self, directory: str, word: bytes, importers: bool = False) -> list[SourceFile]:
        """Parse the not yet loaded Go files of directory that hold word as a whole word (with
        importers: also the linted files of other packages that import it and hold the word)."""

    def other_module_users(self, directory: str, word: bytes) -> list[tuple[str, bool]]:
        """The files in other Go modules that import the package in directory and hold word, and
        whether the run lints each: uses the engine cannot resolve (it resolves imports within a
        module). The files of the modules that build with directory's module from its directory
        (`ModuleMap.dependents`) count whether the run lints them or not."""


@record(eq=False)
class Package:
    """The loaded files of one Go package and their declarations."""

    key: PackageKey
    files: list[SourceFile] = field(default_factory=list)
    functions: dict[str, list[Function]] = field(default_factory=dict)
    consts: dict[str, tuple[SourceFile, Node]] = field(default_factory=dict)  # name -> value expr
    vars: dict[str, tuple[SourceFile, Node]] = field(default_factory=dict)  # package-level, initialised
    complete: bool = False  # every file of the directory has been loaded

    @property
    def directory(self) -> str:
        return self.key[0]


class Project:
    def __init__(self, loader: Loader | None = None) -> None:
        self.loader = loader
        self.packages: dict[PackageKey, Package] = {}
        self.by_node: dict[tuple[int, int], Function] = {}  # (id of file, node id)
        self.file_functions: dict[int, list[Function]] = {}  # id of file -> its functions and spec closures
        self._missing_consts: set[tuple[str, str]] = set()
        self._mentions_loaded: set[tuple[str, str, bool]] = set()
        self._calls: dict[Node, tuple[int, tuple[Function, ...]]] = {}  # by call
        self._by_directory: dict[str, list[Package]] = {}
        self._import_directories: dict[tuple[str, str], str | None] = {}
        self._local_importers: dict[int, bool] = {}  # id of file -> does it import a package of the module
        self.generation = 0  # counts added files: inferences over all functions depend on it
        self.added: list[SourceFile] = []  # in the order they were added: `added[g:]` came after generation g
        self._named_at: dict[str, int] = {}  # function name -> the generation a function of that name was last added at
        # the type an expression of a file visibly has, and the file whose imports qualify it (set by
        # the engine, which reads declarations)
        self.type_of: Callable[[Node, SourceFile], tuple[SourceFile, Node] | None] | None = None
        self._top_specs: dict[tuple[PackageKey, str], tuple[int, dict[str, tuple[SourceFile, Node]]]] = {}  # by files read
        self._package_imports: dict[PackageKey, tuple[int, list[str]]] = {}  # by files read

    # -- building -------------------------------------------------------------------------

    def add_file(self, file: SourceFile) -> Package:
        self.generation += 1
        self.added.append(file)
        key = (file.directory, file.package)
        package = self.packages.get(key)
        if package is None:
            package = self.packages[key] = Package(key)
            self._by_directory.setdefault(file.directory, []).append(package)
        package.files.append(file)
        functions: list[Function] = []
        for node in file.tree.root_node.named_children:
            if node.type in ("function_declaration", "method_declaration"):
                function = read_function(file, node)
                package.functions.setdefault(function.name, []).append(function)
                self._named_at[function.name] = self.generation
                self.by_node[(id(file), node.id)] = function
                functions.append(function)
            elif node.type == "const_declaration":
                _read_consts(file, node, package.consts)
            elif node.type == "var_declaration" and b"func(" not in (node.text or b""):
                _read_vars(file, node, package.vars)
            elif node.type == "var_declaration":
                for closure in read_spec_closures(file, node):  # analysed like functions, never called
                    self.by_node[(id(file), closure.node.id)] = closure
                    functions.append(closure)
                if b"sync.Once" in (node.text or b""):  # `var build = sync.OnceValues(func() ...)` holds a function
                    _read_vars(file, node, package.vars)
        self.file_functions[id(file)] = sorted(functions, key=lambda f: f.node.start_byte)
        return package

    def added_apart(self, since: int, directory: str) -> bool:
        """Are the files added after generation `since` apart from the code of other directories,
        as far as names and imports reach? None is in directory; no file of another directory
        imports their directories or names a function declared there; they name no function
        declared elsewhere. An answer about the functions of directory found at generation
        `since` then holds: every inference crosses from one function to another by a name or
        an import (a call, a function value, a caller's argument)."""
        added = self.added[since:]
        apart = {file.directory for file in added}
        if directory in apart:
            return False
        inside: set[bytes] = set()  # the names of the functions declared in those directories
        outside: set[bytes] = set()
        for package in list(self.packages.values()):
            (inside if package.directory in apart else outside).update(name.encode() for name in package.functions)
        for file in self.files():
            if file.directory in apart:
                continue
            if any(self.import_directory(file, qualifier) in apart for qualifier in file.imports):
                return False
            if inside and word_offsets(file.source, inside):
                return False
        return not any(outside.intersection(_WORDS.findall(file.source)) for file in added)

    def package_of(self, file: SourceFile) -> Package:
        return self.packages[(file.directory, file.package)]

    def files(self) -> Iterator[SourceFile]:
        for package in list(self.packages.values()):
            yield from package.files

    def files_in(self, directory: str) -> list[SourceFile]:
        """The loaded files of directory's packages."""
        return [file for package in self._by_directory.get(directory, []) for file in package.files]

    def functions(self) -> Iterator[Function]:
        for package in list(self.packages.values()):
            for group in list(package.functions.values()):
                yield from group

    def _load(self, directory: str, token: bytes | None) -> None:
        if self.loader is None:
            return
        for file in self.loader.load_directory(directory, token):
            self.add_file(file)

    def load_mentioning(self, directory: str, name: str, importers: bool = False) -> None:
        """Load the files of directory that mention name: every caller of a function in its
        package, which a fix that changes the function's signature must update (with importers,
        an exported function's callers in the other linted packages too)."""
        if self.loader is not None and (directory, name, importers) not in self._mentions_loaded:
            self._mentions_loaded.add((directory, name, importers))
            for file in self.loader.load_mentioning(directory, name.encode(), importers):
                self.add_file(file)

    def other_module_users(self, directory: str, name: str) -> list[tuple[str, bool]]:
        """Files in other Go modules that import directory's package and name `name` (and
        whether the run lints each)."""
        return self.loader.other_module_users(directory, name.encode()) if self.loader is not None else []

    # -- resolution -----------------------------------------------------------------------

    def imported_packages(self, file: SourceFile, qualifier: str) -> list[Package]:
        directory = self.import_directory(file, qualifier)
        if directory is None:
            return []
        return [p for p in self.load_package(directory) if not p.key[1].endswith("_test")]

    def load_package(self, directory: str) -> list[Package]:
        """The packages of directory, loaded whole (as far as the prefilter lets) if not yet."""
        found = self._by_directory.get(directory, [])
        if not any(p.complete for p in found):
            self._load(directory, None)
            found = self._by_directory.get(directory, [])
            for package in found:
                package.complete = True
        return found

    def _same_package(self, file: SourceFile) -> list[Package]:
        return [self.complete_package(file)]

    def complete_package(self, file: SourceFile) -> Package:
        """file's package with every file of its directory loaded."""
        package = self.package_of(file)
        if not package.complete:
            package.complete = True
            self._load(file.directory, None)
        return package

    def resolve_call(self, call: Node, file: SourceFile) -> tuple[Function, ...]:
        """The functions a call may run (as a tuple: thousands of calls run nothing).

        Memoized until a function of the call's name is added: a call runs only functions of its
        name, and resolving it the first time loaded the packages it may run into (a second time
        loads nothing), so files added since then that declare no such function change nothing.
        """
        cached = self._calls.get(call)
        if cached is not None:
            if cached[0] == self.generation:
                return cached[1]
            if self._named_at.get(callee(call)[1], -1) <= cached[0]:
                self._calls[call] = (self.generation, cached[1])
                return cached[1]
        found = tuple(self._resolve_call(call, file))
        self._calls[call] = (self.generation, found)
        return found

    def _resolve_call(self, call: Node, file: SourceFile) -> list[Function]:
        qualifier, name = callee(call)
        if not name:
            return []
        # `f[x](...)` instantiates a generic function, or calls what a list or map holds
        indexed = generic_callee(call) is not None
        if qualifier is None:
            packages = self._same_package(file)
        elif qualifier in file.imports:
            packages = self.imported_packages(file, qualifier)
        elif indexed:
            return []  # a method has no type parameters: a func-valued field's entry
        else:  # a method call
            return self._resolve_method(call, file, name)
        return [
            f for p in packages for f in p.functions.get(name, [])
            if f.receiver is None and (not indexed or f.node.child_by_field_name("type_parameters") is not None)
        ]

    def _resolve_method(self, call: Node, file: SourceFile, name: str) -> list[Function]:
        """`c.Deploy(...)`: the methods of the type `c` visibly has (a parameter `c *cluster.Cluster`,
        `c := &helper{...}`, `c := cluster.New(...)`, a field `s.cluster`, also a package-level
        variable: `type_of`) when the index holds some of that name, else the methods of the name
        of the call's own package (an interface or a type the index does not know may run any of
        them)."""
        local = [f for f in self.complete_package(file).functions.get(name, []) if f.receiver is not None]
        declared = self._visible_type(call, file) if self._type_may_decide(file, name, local) else None
        named = self.named_type(declared) if declared is not None else None
        if named is None:
            return local
        packages, type_name = named
        candidates = [f for p in packages for f in p.functions.get(name, []) if f.receiver is not None]
        return [f for f in candidates if _receiver_type(f) == type_name] or local

    def named_type(self, declared: tuple[SourceFile, Node]) -> tuple[list[Package], str] | None:
        """The packages that may declare a visible type and its name: `*cluster.Cluster` read in
        its file's imports (a package of the module, or none), `Cluster` the file's own package."""
        found = _TYPE_NAME.fullmatch(text(declared[1]))
        if found is None:
            return None
        qualifier, type_name = found.groups()
        file = declared[0]
        if qualifier is None:
            return ([self.complete_package(file)], type_name) if type_name not in PREDECLARED_TYPES else None
        return (self.imported_packages(file, qualifier) if qualifier in file.imports else []), type_name

    def type_spec(self, package: Package, name: str) -> tuple[SourceFile, Node] | None:
        """The `type` spec that declares name in package (in any of its files, also one the
        prefilter passed over), with its file."""
        found = self._package_types(package).get(name)
        if found is None:
            self.load_mentioning(package.directory, name)
            found = self._package_types(package).get(name)
        return found

    def _type_may_decide(self, file: SourceFile, name: str, local: list[Function]) -> bool:
        """Can the type of the value change which methods a call of name runs (asking it is the
        costly part)? Yes when the package's methods of the name have several receiver types, or
        when the method is exported (callable from another package) and a package of the module
        that a file of the package imports declares one (the value's type may be read in a file
        other than the calling one: a package-level variable's, a field's)."""
        if len(local) > 1 and len({_receiver_type(f) for f in local}) > 1:
            return True
        return name[:1].isupper() and any(
            f.receiver is not None
            for directory in self._imported_directories(self.package_of(file))
            for p in self._in_directory(directory) for f in p.functions.get(name, [])
        )

    def _imported_directories(self, package: Package) -> list[str]:
        """The directories of the module's packages that the package's files import, loaded."""
        known = self._package_imports.get(package.key)
        if known is None or known[0] != len(package.files):
            directories = {
                directory for file in list(package.files) if self._imports_local_package(file)
                for qualifier in file.imports if (directory := self.import_directory(file, qualifier)) is not None
            }
            for directory in directories:
                self.load_package(directory)
            known = self._package_imports[package.key] = (len(package.files), sorted(directories))
        return known[1]

    def _visible_type(self, call: Node, file: SourceFile) -> tuple[SourceFile, Node] | None:
        """The type the operand of a method call `c.M(...)`, `s.cluster.M(...)` visibly has, if known
        (with the file whose imports qualify it)."""
        selector = call.child_by_field_name("function")
        operand = selector.child_by_field_name("operand") if selector is not None and selector.type == "selector_expression" else None
        if operand is None or self.type_of is None:
            return None
        return self.type_of(operand, file)

    def package_variable(self, file: SourceFile, name: str) -> tuple[SourceFile, Node] | None:
        """The `var` spec that declares name at the top level of file's package (in any of its
        files, also one the prefilter passed over), with its file."""
        package = self.complete_package(file)
        found = self._package_variables(package).get(name)
        if found is None:
            self.load_mentioning(file.directory, name)
            found = self._package_variables(package).get(name)
        return found

    def _package_variables(self, package: Package) -> dict[str, tuple[SourceFile, Node]]:
        return self._top_level_specs(package, "var")

    def _package_types(self, package: Package) -> dict[str, tuple[SourceFile, Node]]:
        return self._top_level_specs(package, "type")

    def _top_level_specs(self, package: Package, kind: str) -> dict[str, tuple[SourceFile, Node]]:
        """The package's top-level `var` or `type` specs by name, with their files, read again when
        files were added since."""
        key = (package.key, kind)
        known = self._top_specs.get(key)
        if known is None or known[0] != len(package.files):
            specs: dict[str, tuple[SourceFile, Node]] = {}
            for file in package.files:
                for node in file.tree.root_node.named_children:
                    for spec in declaration_specs(node, f"{kind}_spec") if node.type == f"{kind}_declaration" else ():
                        names = spec.children_by_field_name("name") if kind == "var" else [spec.child_by_field_name("name")]
                        specs.update((text(n), (file, spec)) for n in names if n is not None)
            known = self._top_specs[key] = (len(package.files), specs)
        return known[1]

    def _imports_local_package(self, file: SourceFile) -> bool:
        """Does the file import a package of the linted module (asked once per file)?"""
        found = self._local_importers.get(id(file))
        if found is None:
            found = self._local_importers[id(file)] = any(self.import_directory(file, q) is not None for q in file.imports)
        return found

    def resolve_const(
        self, file: SourceFile, name: str, qualifier: str | None = None
    ) -> tuple[SourceFile, Node] | None:
        if qualifier is None:
            directory: str | None = file.directory
            packages = [self.package_of(file)]
        else:
            directory = self.import_directory(file, qualifier)
            if directory is None:
                return None
            packages = self._in_directory(directory)
        for package in packages:
            if name in package.consts:
                return package.consts[name]
        if directory is None or (directory, name) in self._missing_consts:
            return None
        # a constant in a file the prefilter skipped: parse the files that mention it
        self._missing_consts.add((directory, name))
        self._load(directory, name.encode())
        for package in self._in_directory(directory) if qualifier else [self.package_of(file)]:
            if name in package.consts:
                return package.consts[name]
        return None

    def loaded(self, directory: str) -> bool:
        """Has the package in directory been loaded whole (as far as the prefilter lets)?"""
        return any(p.complete for p in self._by_directory.get(directory, ()))

    def _in_directory(self, directory: str) -> list[Package]:
        return [p for p in self._by_directory.get(directory, []) if not p.key[1].endswith("_test")]

    def import_directory(self, file: SourceFile, qualifier: str) -> str | None:
        """The directory of the local package a file imports as qualifier (None: not local)."""
        path = file.imports.get(qualifier)
        if path is None or self.loader is None:
            return None
        key = (path, file.directory)
        if key not in self._import_directories:
            self._import_directories[key] = self.loader.directory_for_import(path, file.directory)
        return self._import_directories[key]

    def unfollowed_module(self, file: SourceFile, qualifier: str) -> str | None:
        """The module of the package a file imports as qualifier when the go.mod replaces it by a
        local directory that resolution does not follow: calls into it are not analysed."""
        path = file.imports.get(qualifier)
        if path is None or self.loader is None:
            return None
        return self.loader.unfollowed_module(path, file.directory)


def _read_consts(file: SourceFile, declaration: Node, into: dict[str, tuple[SourceFile, Node]]) -> None:
    for spec in declaration.named_children:
        if spec.type != "const_spec":
            continue
        names = spec.children_by_field_name("name")
        value = spec.child_by_field_name("value")
        if value is None:
            continue
        values = value.named_children
        for index, name in enumerate(names):
            if index < len(values) and name.text:
                into[name.text.decode()] = (file, values[index])


def _read_vars(file: SourceFile, declaration: Node, into: dict[str, tuple[SourceFile, Node]]) -> None:
    for spec in declaration_specs(declaration, "var_spec"):
        value = spec.child_by_field_name("value")
        names = spec.children_by_field_name("name")
        if value is not None and len(names) == value.named_child_count:
            for name, expr in zip(names, value.named_children):
                into[text(name)] = (file, expr)


def _receiver_type(method: Function) -> str | None:
    """The name of a method's receiver type: `(c *Cluster[T])` -> `Cluster`."""
    found = _RECEIVER_TYPE.match(method.receiver or "")
    return found.group(1) if found is not None else None
