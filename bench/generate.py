#!/usr/bin/env python3
"""Deterministic generator of a realistic Go monorepo for benchmarking imagetag-lint.

Usage::

    python bench/generate.py OUT_DIR [--scale N] [--seed S]

Scale 1 writes at least 3,000 Go files and at least 30 MiB of Go: ordinary
packages of varied size (structs, methods, HTTP handlers, stores, table
tests, worker pools), generated code (deepcopy, typed clients, mocks,
stringers), a few 1-2 MB files (OpenAPI definitions, bindata, a protobuf
file, a monolithic reconciler) and about 2 % of the files in
``test/e2e/...`` Kind infrastructure packages that build images, deploy
them, fan out goroutines and contain planted bugs (IMG001, IMG002, IMG003).

With ``--profile dense`` the E2E weight sits in one large infrastructure
package instead (about 60 files and 1.7 MB, the largest 50-100 KB, with long
setup functions that fan out goroutines, generate image names and run podman
and kind directly), and 2 suites; the default profile's output is unchanged.

Scale N writes N shards: shard 0 at the root and shard k under
``staging/src/github.com/acme/modK/``, each with the same layout, so the
tree grows linearly.  The output is a pure function of (seed, scale).

A manifest, ``BENCH_MANIFEST.json``, is written at the root: the planted
bugs (path, line, rule, kind), the clean one-file target for the pre-commit
style run, and the totals.  Pure standard library.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import re
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any

GENERATOR_VERSION = 1
MANIFEST_NAME = "BENCH_MANIFEST.json"
PROFILES = ("default", "dense")
DEFAULT_SEED = 20240611

# Per-shard budget.  30 MiB = 31,457,280 bytes; aim a little above it.
SHARD_GO_FILES = 3050
SHARD_GO_BYTES = 32_500_000
E2E_FRACTION = 0.02

SEMGREPIGNORE = "# Scan everything, tests included (semgrep's default list skips test/ and *_test.go).\n"
MARK_RE = re.compile(r"\x01([A-Z0-9]+):([a-z0-9_-]+)\x01")


def mark(rule: str, kind: str) -> str:
    """Marker appended to a bug line; stripped (and recorded) at write time."""
    return f"\x01{rule}:{kind}\x01"


# --------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------

NOUNS = ["account", "user", "order", "invoice", "payment", "refund", "cart", "item", "product", "catalog", "price", "quota", "tenant", "project", "cluster", "node", "pod", "volume", "snapshot", "backup", "restore", "policy", "role", "binding", "token", "session", "secret", "certificate", "key", "route", "gateway", "listener", "endpoint", "service", "deployment", "replica", "job", "schedule", "task", "worker", "queue", "message", "event", "topic", "subscription", "webhook", "alert", "metric", "sample", "report", "dashboard", "panel", "query", "index", "shard", "segment", "record", "ledger", "entry", "budget", "forecast", "region", "zone", "rack", "host", "disk", "bucket", "object", "blob", "manifest", "artifact", "release", "channel", "feature", "flag", "experiment", "cohort", "audit", "trail", "notification", "template", "address", "contact", "profile", "preference", "device", "lease"]
VERBS = ["get", "list", "create", "update", "delete", "sync", "reconcile", "validate", "apply", "resolve", "fetch", "refresh", "compute", "merge", "import", "export", "archive", "restore", "publish", "enqueue", "dispatch", "render", "rotate", "revoke", "approve", "reject", "schedule", "drain"]
ADJS = ["active", "pending", "stale", "primary", "secondary", "default", "internal", "external", "remote", "local", "cached", "durable", "ephemeral", "shared"]
AREAS = ["billing", "auth", "catalog", "inventory", "scheduler", "storage", "network", "metrics", "ingest", "search", "notify", "payments", "audit", "identity", "gateway", "registry", "controller", "webhook", "quota", "tenancy", "reporting", "pipeline", "cache", "config", "featureflags", "ledger", "shipping", "pricing", "recommendations", "messaging", "observability", "provisioning", "backup", "dns", "certs", "secrets", "admission", "autoscaler"]
SUBS = ["api", "client", "server", "store", "model", "service", "worker", "handler", "util", "validation", "events", "cache", "admin", "v1", "v2", "internal", "sync", "export", "importer", "planner"]
SUITES = ["operator", "webhook", "upgrade", "ingress", "storage", "metrics", "rollout", "multitenancy", "autoscaling", "backup", "networkpolicy", "certmanager", "gateway", "scheduler", "admission", "migration", "canary", "failover", "quota", "tracing"]
COMPONENTS = ["operator", "webhook", "api-server", "worker", "sidecar", "migrator", "scheduler", "gateway", "exporter", "agent"]
FIELD_TYPES = (
    "string", "string", "string", "int", "int64", "bool", "time.Time",
    "[]string", "map[string]string", "float64", "*time.Duration", "[]byte",
    "uint32",
)
SENTENCES = (
    "becomes ready within the timeout",
    "serves traffic after a rolling update",
    "keeps its replicas when the node is drained",
    "reports healthy status to the probe",
    "recovers after the pod is deleted",
    "exposes metrics on the configured port",
    "rejects an invalid configuration",
    "reconciles the desired replica count",
    "survives a controller restart",
    "propagates labels to the pods",
)


def cap(word: str) -> str:
    return word[:1].upper() + word[1:]


def camel(*words: str) -> str:
    return "".join(cap(w.replace("-", "")) for w in words)


def lower_camel(*words: str) -> str:
    joined = camel(*words)
    return joined[:1].lower() + joined[1:]


class Namer:
    """Random identifiers drawn from a seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def noun(self) -> str:
        return self.rng.choice(NOUNS)

    def verb(self) -> str:
        return self.rng.choice(VERBS)

    def type_name(self) -> str:
        if self.rng.random() < 0.4:
            return camel(self.rng.choice(ADJS), self.noun())
        return camel(self.noun(), self.rng.choice(("", "spec", "status", "info", "config", "")))

    def fields(self, count: int) -> list[tuple[str, str, str]]:
        seen: list[str] = []
        out: list[tuple[str, str, str]] = []
        while len(out) < count:
            words = (self.noun(),) if self.rng.random() < 0.6 else (self.rng.choice(ADJS), self.noun())
            name = camel(*words)
            if name in seen:
                continue
            seen.append(name)
            out.append((name, self.rng.choice(FIELD_TYPES), "_".join(words)))
        return out


# --------------------------------------------------------------------------
# Ordinary code units (Template with ${name} placeholders; Go never uses $)
# --------------------------------------------------------------------------

T_STRUCT_HEAD = Template("""// ${T} is a ${noun} tracked by the ${area} ${sub} layer.
type ${T} struct {
""")

T_STRUCT_TAIL = Template("""}

// New${T} returns a ${T} with defaults applied.
func New${T}(name string) *${T} {
	return &${T}{
		${F0}: name,
	}
}

// Validate checks that the ${T} is well formed.
func (x *${T}) Validate() error {
	if x == nil {
		return errors.New("${noun}: nil value")
	}
	if len(x.${F0}) == 0 {
		return fmt.Errorf("${noun}: %s is required", "${f0}")
	}
	if len(x.${F0}) > ${max} {
		return fmt.Errorf("${noun}: %s exceeds %d characters", "${f0}", ${max})
	}
	return nil
}

// String implements fmt.Stringer.
func (x *${T}) String() string {
	return fmt.Sprintf("${T}{${f0}=%v}", x.${F0})
}

""")

T_METHOD = Template("""// ${Verb}${T} ${verb}s the ${noun} identified by id.
func (s *${Svc}) ${Verb}${T}(ctx context.Context, id string) (*${T}, error) {
	ctx, cancel := context.WithTimeout(ctx, ${n}*time.Second)
	defer cancel()

	s.mu.RLock()
	cached, ok := s.cache[id]
	s.mu.RUnlock()
	if ok && !cached.expired(time.Now()) {
		s.metrics.cacheHits.Inc()
		return cached.value.(*${T}), nil
	}

	item, err := s.store.${Verb}${T}(ctx, id)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("${noun} %q: %w", id, ErrNotFound)
		}
		s.logger.Error(err, "failed to ${verb} ${noun}", "id", id, "attempt", ${n})
		return nil, fmt.Errorf("${verb} ${noun} %q: %w", id, err)
	}
	if err := item.Validate(); err != nil {
		return nil, fmt.Errorf("invalid ${noun} %q: %w", id, err)
	}

	s.mu.Lock()
	s.cache[id] = cacheEntry{value: item, at: time.Now()}
	s.mu.Unlock()
	return item, nil
}

""")

T_WORKERS = Template("""// process${T}s handles items concurrently with at most ${n} workers.
func (s *${Svc}) process${T}s(ctx context.Context, items []*${T}) error {
	var wg sync.WaitGroup
	errCh := make(chan error, len(items))
	sem := make(chan struct{}, ${n})
	for _, item := range items {
		wg.Add(1)
		go func(item *${T}) {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				errCh <- ctx.Err()
				return
			}
			defer func() { <-sem }()
			if err := s.handle${T}(ctx, item); err != nil {
				errCh <- fmt.Errorf("${noun} %s: %w", item, err)
			}
		}(item)
	}
	wg.Wait()
	close(errCh)
	var errs []error
	for err := range errCh {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

""")

T_HANDLER = Template("""// handle${Verb}${T} serves ${method} /${area}/${noun}s.
func (h *${H}) handle${Verb}${T}(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.Method${Method} {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var req ${Verb}${T}Request
	if err := json.NewDecoder(io.LimitReader(r.Body, ${limit})).Decode(&req); err != nil {
		h.writeError(w, http.StatusBadRequest, fmt.Errorf("decode request: %w", err))
		return
	}
	if req.${F0} == "" {
		h.writeError(w, http.StatusUnprocessableEntity, errors.New("${f0} is required"))
		return
	}
	res, err := h.svc.${Verb}${T}(r.Context(), req.${F0})
	switch {
	case errors.Is(err, ErrNotFound):
		h.writeError(w, http.StatusNotFound, err)
		return
	case err != nil:
		h.writeError(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.Status${Status})
	_ = json.NewEncoder(w).Encode(res)
}

""")

T_STORE = Template("""const query${Verb}${T} = `
SELECT ${cols}
FROM ${table}
WHERE ${col0} = $$1 AND deleted_at IS NULL
ORDER BY updated_at DESC
LIMIT ${n}`

// ${Verb}${T} loads a ${noun} row.
func (s *${S}) ${Verb}${T}(ctx context.Context, id string) (*${T}, error) {
	rows, err := s.db.QueryContext(ctx, query${Verb}${T}, id)
	if err != nil {
		return nil, fmt.Errorf("query ${table}: %w", err)
	}
	defer rows.Close()
	var out ${T}
	found := false
	for rows.Next() {
		if err := rows.Scan(${scan}); err != nil {
			return nil, fmt.Errorf("scan ${table}: %w", err)
		}
		found = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if !found {
		return nil, ErrNotFound
	}
	return &out, nil
}

""")

T_TABLE_TEST_HEAD = Template("""func Test${Verb}${T}(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		input   string
		want    int
		wantErr bool
	}{
""")

T_TABLE_CASE = Template("""		{name: "${adj} ${noun}", input: "${noun}-${n}", want: ${n}, wantErr: ${bool}},
""")

T_TABLE_TEST_TAIL = Template("""	}
	for _, tt := range tests {
		tt := tt
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ${verb}${T}ForTest(tt.input)
			if (err != nil) != tt.wantErr {
				t.Fatalf("${verb}${T}ForTest(%q) error = %v, wantErr %v", tt.input, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("${verb}${T}ForTest(%q) = %d, want %d", tt.input, got, tt.want)
			}
		})
	}
}

""")

T_SWITCH_HEAD = Template("""// ${T}Phase is the lifecycle phase of a ${noun}.
type ${T}Phase int

const (
	${T}PhaseUnknown ${T}Phase = iota
""")

T_SWITCH_TAIL = Template(""")

func (p ${T}Phase) next(event string) (${T}Phase, error) {
	switch p {
${cases}	default:
		return ${T}PhaseUnknown, fmt.Errorf("${noun}: no transition from %d on %q", p, event)
	}
}

""")

T_OPTIONS = Template("""// ${T}Option configures a ${T}.
type ${T}Option func(*${T}Options)

// ${T}Options holds the settings of a ${T}.
type ${T}Options struct {
	Timeout    time.Duration
	Retries    int
	Logger     logr.Logger
	Labels     map[string]string
	Concurrent bool
}

// With${T}Timeout sets the ${noun} timeout.
func With${T}Timeout(d time.Duration) ${T}Option {
	return func(o *${T}Options) { o.Timeout = d }
}

// With${T}Retries sets how many times a ${noun} call is retried.
func With${T}Retries(n int) ${T}Option {
	return func(o *${T}Options) {
		if n < 0 {
			n = 0
		}
		o.Retries = n
	}
}

func default${T}Options(opts ...${T}Option) ${T}Options {
	o := ${T}Options{Timeout: ${n} * time.Second, Retries: 3, Labels: map[string]string{}}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

""")

T_PODSPEC = Template("""// ${lname}PodSpec renders the pod template of the ${noun} ${kind}.
func ${lname}PodSpec(spec *${T}, image string) corev1.PodSpec {
	return corev1.PodSpec{
		ServiceAccountName: "${noun}-${area}",
		Containers: []corev1.Container{{
			Name:  "${noun}",
			Image: image,
			Args:  []string{"--${noun}-port=${port}", "--log-level=info"},
			Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: ${port}}},
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("${cpu}m")},
			},
		}, {
			Name:  "metrics-proxy",
			Image: "${upstream}",
			Ports: []corev1.ContainerPort{{Name: "metrics", ContainerPort: 9090}},
		}},
	}
}

""")

T_DECOY_BUILDER = Template("""// Push${T}Image builds and pushes the ${noun} image to the release
// registry.  Unlike the Kind helpers (BuildAndLoadImageToKind) it does not
// need the returned reference, the digest is recorded by the registry.
func (b *${T}Builder) Push${T}Image(ctx context.Context) error {
	_, err := b.docker.BuildImage(ctx, b.opts)
	if err != nil {
		return fmt.Errorf("build ${noun} image: %w", err)
	}
	return b.docker.Push(ctx, b.opts.Tags...)
}

""")

T_SMALL_FUNC = Template("""func ${lname}${N}(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		out = append(out, strings.ToLower(s))
	}
	sort.Strings(out)
	return out
}

""")

T_ERRVARS = Template("""var (
	// Err${T}NotFound is returned when the ${noun} does not exist.
	Err${T}NotFound = errors.New("${noun} not found")
	// Err${T}Conflict is returned on a concurrent ${noun} update.
	Err${T}Conflict = errors.New("${noun} conflict")
	// Err${T}Invalid wraps validation failures of a ${noun}.
	Err${T}Invalid = errors.New("invalid ${noun}")
)

""")

T_METRICS = Template("""var ${lname}Duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
	Namespace: "${area}",
	Subsystem: "${sub}",
	Name:      "${noun}_${verb}_duration_seconds",
	Help:      "Time spent to ${verb} a ${noun}.",
	Buckets:   prometheus.ExponentialBuckets(0.005, 2, ${n}),
}, []string{"result"})

""")

IMPORTS_BY_KIND: dict[str, tuple[str, ...]] = {
    "types": ("errors", "fmt", "time"),
    "service": ("context", "errors", "fmt", "sync", "time", "github.com/go-logr/logr"),
    "handler": ("encoding/json", "errors", "fmt", "io", "net/http"),
    "store": ("context", "database/sql", "fmt"),
    "test": ("testing",),
    "util": ("fmt", "sort", "strings"),
    "options": ("time", "github.com/go-logr/logr"),
    "pods": ("fmt", "corev1 \"k8s.io/api/core/v1\"", "\"k8s.io/apimachinery/pkg/api/resource\""),
    "errors": ("errors",),
    "metrics": ("github.com/prometheus/client_golang/prometheus",),
}

UPSTREAM_IMAGES = (
    "quay.io/brancz/kube-rbac-proxy:v0.18.0",
    "registry.k8s.io/pause:3.9",
    "nginx:1.27",
    "ghcr.io/acme/metrics-proxy:v2.3.1",
)


def format_imports(paths: tuple[str, ...]) -> str:
    """An import block as gofmt/goimports lays it out: stdlib, blank line, the rest."""
    specs = [p if '"' in p else f'"{p}"' for p in paths]

    def path_of(spec: str) -> str:
        return spec.split('"')[1]

    std = sorted((s for s in specs if "." not in path_of(s).split("/")[0]), key=path_of)
    other = sorted((s for s in specs if "." in path_of(s).split("/")[0]), key=path_of)
    groups = ["".join(f"\t{s}\n" for s in g) for g in (std, other) if g]
    return "import (\n" + "\n".join(groups) + ")\n\n"


# --------------------------------------------------------------------------
# Ordinary files
# --------------------------------------------------------------------------


class OrdinaryWriter:
    """Produces ordinary Go files of a requested kind and approximate size."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names = Namer(rng)

    def base_vars(self, area: str, sub: str) -> dict[str, object]:
        rng = self.rng
        noun = self.names.noun()
        verb = self.names.verb()
        return {
            "T": self.names.type_name(), "noun": noun, "verb": verb,
            "Verb": cap(verb), "area": area, "sub": sub,
            "n": rng.randint(2, 64), "lname": lower_camel(noun, verb),
        }

    def struct_unit(self, area: str, sub: str) -> str:
        v = self.base_vars(area, sub)
        fields = self.names.fields(self.rng.randint(3, 14))
        v.update(F0=fields[0][0], f0=fields[0][2], max=self.rng.choice((63, 128, 253, 1024)))
        wn = max(len(f[0]) for f in fields)
        wt = max(len(f[1]) for f in fields)
        body = "".join(
            f"\t{name:<{wn}} {typ:<{wt}} `json:\"{lower_camel(tag)},omitempty\"`\n" for name, typ, tag in fields
        )
        return T_STRUCT_HEAD.substitute(v) + body + T_STRUCT_TAIL.substitute(v)

    def method_unit(self, area: str, sub: str) -> str:
        v = self.base_vars(area, sub)
        v["Svc"] = camel(area, "service")
        return T_METHOD.substitute(v)

    def workers_unit(self, area: str, sub: str) -> str:
        v = self.base_vars(area, sub)
        v["Svc"] = camel(area, "service")
        return T_WORKERS.substitute(v)

    def handler_unit(self, area: str, sub: str) -> str:
        v = self.base_vars(area, sub)
        method = self.rng.choice(("Get", "Post", "Put", "Delete"))
        v.update(H=camel(area, "handler"), method=method.upper(), Method=method,
                 limit=self.rng.choice((1 << 16, 1 << 20)), F0=camel(self.names.noun(), "id"),
                 f0=self.names.noun() + "_id", Status=self.rng.choice(("OK", "Created", "Accepted")))
        return T_HANDLER.substitute(v)

    def store_unit(self, area: str, sub: str) -> str:
        v = self.base_vars(area, sub)
        cols = [f[2] for f in self.names.fields(self.rng.randint(3, 9))]
        v.update(S=camel(area, "store"), cols=", ".join(cols), col0=cols[0],
                 table=f"{area}_{v['noun']}s", scan=", ".join(f"&out.{camel(c)}" for c in cols))
        return T_STORE.substitute(v)

    def table_test_unit(self, area: str, sub: str) -> str:
        v = self.base_vars(area, sub)
        cases = []
        for _ in range(self.rng.randint(3, 18)):
            cases.append(T_TABLE_CASE.substitute(
                adj=self.rng.choice(ADJS), noun=self.names.noun(), n=self.rng.randint(0, 999),
                bool=self.rng.choice(("false", "false", "true"))))
        return T_TABLE_TEST_HEAD.substitute(v) + "".join(cases) + T_TABLE_TEST_TAIL.substitute(v)

    def switch_unit(self, area: str, sub: str) -> str:
        v = self.base_vars(area, sub)
        phases = [camel(self.names.verb()) + "ed" for _ in range(self.rng.randint(3, 8))]
        consts = "".join(f"\t{v['T']}Phase{p}{i}\n" for i, p in enumerate(phases))
        cases = "".join(
            f"\tcase {v['T']}Phase{p}{i}:\n\t\tif event == \"{p.lower()}\" {{\n"
            f"\t\t\treturn {v['T']}Phase{phases[(i + 1) % len(phases)]}{(i + 1) % len(phases)}, nil\n"
            f"\t\t}}\n\t\treturn p, nil\n"
            for i, p in enumerate(phases)
        )
        return T_SWITCH_HEAD.substitute(v) + consts + T_SWITCH_TAIL.substitute(v, cases=cases)

    def options_unit(self, area: str, sub: str) -> str:
        return T_OPTIONS.substitute(self.base_vars(area, sub))

    def podspec_unit(self, area: str, sub: str) -> str:
        v = self.base_vars(area, sub)
        v.update(kind=self.rng.choice(("deployment", "statefulset", "daemonset")),
                 port=self.rng.choice((8080, 8443, 9443, 3000)), cpu=self.rng.choice((50, 100, 250)),
                 upstream=self.rng.choice(UPSTREAM_IMAGES))
        return T_PODSPEC.substitute(v)

    def decoy_unit(self, area: str, sub: str) -> str:
        return T_DECOY_BUILDER.substitute(self.base_vars(area, sub))

    def small_unit(self, area: str, sub: str) -> str:
        v = self.base_vars(area, sub)
        v["N"] = self.rng.randint(1, 999)
        return T_SMALL_FUNC.substitute(v)

    def errvars_unit(self, area: str, sub: str) -> str:
        return T_ERRVARS.substitute(self.base_vars(area, sub))

    def metrics_unit(self, area: str, sub: str) -> str:
        return T_METRICS.substitute(self.base_vars(area, sub))

    def unit_menu(self, kind: str) -> list[tuple[Callable[[str, str], str], int]]:
        menus: dict[str, list[tuple[Callable[[str, str], str], int]]] = {
            "types": [(self.struct_unit, 8), (self.switch_unit, 2), (self.small_unit, 1)],
            "service": [(self.method_unit, 8), (self.workers_unit, 2), (self.decoy_unit, 0)],
            "handler": [(self.handler_unit, 9), (self.small_unit, 1)],
            "store": [(self.store_unit, 9), (self.small_unit, 1)],
            "test": [(self.table_test_unit, 1)],
            "util": [(self.small_unit, 5), (self.switch_unit, 3)],
            "options": [(self.options_unit, 1)],
            "pods": [(self.podspec_unit, 6), (self.small_unit, 1)],
            "errors": [(self.errvars_unit, 1)],
            "metrics": [(self.metrics_unit, 1)],
        }
        return menus[kind]

    def render(self, pkg: str, kind: str, area: str, sub: str, size: int) -> str:
        menu = self.unit_menu(kind)
        funcs = [f for f, _ in menu]
        weights = [w for _, w in menu]
        imports = IMPORTS_BY_KIND[kind]
        parts = [f"// Package {pkg} implements the {area} {sub}.\npackage {pkg}\n\n", format_imports(imports)]
        total = sum(len(p) for p in parts)
        if kind == "service" and self.rng.random() < 0.04:
            parts.append(self.decoy_unit(area, sub))
            total += len(parts[-1])
        while total < size:
            unit = self.rng.choices(funcs, weights)[0](area, sub)
            parts.append(unit)
            total += len(unit)
        return "".join(parts)


# --------------------------------------------------------------------------
# Generated code (deepcopy, clients, mocks, stringers) and large files
# --------------------------------------------------------------------------

GEN_HEADER = "// Code generated by {tool}. DO NOT EDIT.\n\n"

T_DEEPCOPY = Template("""// DeepCopyInto is an autogenerated deepcopy function, copying the receiver, writing into out. in must be non-nil.
func (in *${T}) DeepCopyInto(out *${T}) {
	*out = *in
	out.TypeMeta = in.TypeMeta
	in.ObjectMeta.DeepCopyInto(&out.ObjectMeta)
	in.Spec.DeepCopyInto(&out.Spec)
	if in.Labels != nil {
		in, out := &in.Labels, &out.Labels
		*out = make(map[string]string, len(*in))
		for key, val := range *in {
			(*out)[key] = val
		}
	}
	if in.Items != nil {
		in, out := &in.Items, &out.Items
		*out = make([]${T}Item, len(*in))
		for i := range *in {
			(*in)[i].DeepCopyInto(&(*out)[i])
		}
	}
}

// DeepCopy is an autogenerated deepcopy function, copying the receiver, creating a new ${T}.
func (in *${T}) DeepCopy() *${T} {
	if in == nil {
		return nil
	}
	out := new(${T})
	in.DeepCopyInto(out)
	return out
}

// DeepCopyObject is an autogenerated deepcopy function, copying the receiver, creating a new runtime.Object.
func (in *${T}) DeepCopyObject() runtime.Object {
	if c := in.DeepCopy(); c != nil {
		return c
	}
	return nil
}

""")

T_CLIENT = Template("""// ${T}sGetter has a method to return a ${T}Interface.
type ${T}sGetter interface {
	${T}s(namespace string) ${T}Interface
}

// ${T}Interface has methods to work with ${T} resources.
type ${T}Interface interface {
	Create(ctx context.Context, obj *${group}v1.${T}, opts metav1.CreateOptions) (*${group}v1.${T}, error)
	Update(ctx context.Context, obj *${group}v1.${T}, opts metav1.UpdateOptions) (*${group}v1.${T}, error)
	Delete(ctx context.Context, name string, opts metav1.DeleteOptions) error
	Get(ctx context.Context, name string, opts metav1.GetOptions) (*${group}v1.${T}, error)
	List(ctx context.Context, opts metav1.ListOptions) (*${group}v1.${T}List, error)
	Watch(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error)
}

type ${lT}s struct {
	client rest.Interface
	ns     string
}

// Get takes name of the ${lT}, and returns the corresponding object, and an error if there is any.
func (c *${lT}s) Get(ctx context.Context, name string, options metav1.GetOptions) (result *${group}v1.${T}, err error) {
	result = &${group}v1.${T}{}
	err = c.client.Get().
		Namespace(c.ns).
		Resource("${lT}s").
		Name(name).
		VersionedParams(&options, scheme.ParameterCodec).
		Do(ctx).
		Into(result)
	return
}

// List takes label and field selectors, and returns the list of ${T}s that match those selectors.
func (c *${lT}s) List(ctx context.Context, opts metav1.ListOptions) (result *${group}v1.${T}List, err error) {
	var timeout time.Duration
	if opts.TimeoutSeconds != nil {
		timeout = time.Duration(*opts.TimeoutSeconds) * time.Second
	}
	result = &${group}v1.${T}List{}
	err = c.client.Get().
		Namespace(c.ns).
		Resource("${lT}s").
		VersionedParams(&opts, scheme.ParameterCodec).
		Timeout(timeout).
		Do(ctx).
		Into(result)
	return
}

""")

T_MOCK = Template("""// ${Verb}${T} mocks base method.
func (m *Mock${I}) ${Verb}${T}(arg0 context.Context, arg1 string) (*${T}, error) {
	m.ctrl.T.Helper()
	ret := m.ctrl.Call(m, "${Verb}${T}", arg0, arg1)
	ret0, _ := ret[0].(*${T})
	ret1, _ := ret[1].(error)
	return ret0, ret1
}

// ${Verb}${T} indicates an expected call of ${Verb}${T}.
func (mr *Mock${I}MockRecorder) ${Verb}${T}(arg0, arg1 any) *gomock.Call {
	mr.mock.ctrl.T.Helper()
	return mr.mock.ctrl.RecordCallWithMethodType(mr.mock, "${Verb}${T}", reflect.TypeOf((*Mock${I})(nil).${Verb}${T}), arg0, arg1)
}

""")

T_OPENAPI = Template("""func schema_pkg_apis_${group}_v1_${T}(ref common.ReferenceCallback) common.OpenAPIDefinition {
	return common.OpenAPIDefinition{
		Schema: spec.Schema{
			SchemaProps: spec.SchemaProps{
				Description: "${T} is the Schema for the ${lT}s API.",
				Type:        []string{"object"},
				Properties: map[string]spec.Schema{
${props}				},
				Required: []string{"${first}"},
			},
		},
		Dependencies: []string{
			"k8s.io/apimachinery/pkg/apis/meta/v1.ObjectMeta"},
	}
}

""")

T_OPENAPI_PROP = Template("""					"${f}": {
						SchemaProps: spec.SchemaProps{
							Description: "${F} of the ${noun}. Defaults to the ${adj} value when unset.",
							Type:        []string{"${typ}"},
							Format:      "",
						},
					},
""")


T_PB_FIELD = Template("""\t${name} string `protobuf:"bytes,${num},opt,name=${tag},proto3" json:"${tag},omitempty"`
""")

T_PB_GETTER = Template("""func (x *${M}) Get${F}() string {
	if x != nil {
		return x.${F}
	}
	return ""
}

""")

T_PB_MESSAGE = Template("""type ${M} struct {
	state         protoimpl.MessageState
	sizeCache     protoimpl.SizeCache
	unknownFields protoimpl.UnknownFields

${fields}}

func (x *${M}) Reset() {
	*x = ${M}{}
	mi := &file_platform_proto_msgTypes[${idx}]
	ms := protoimpl.X.MessageStateOf(protoimpl.Pointer(x))
	ms.StoreMessageInfo(mi)
}

func (x *${M}) ProtoReflect() protoreflect.Message {
	return file_platform_proto_msgTypes[${idx}].MessageOf(x)
}

${getters}var file_platform_proto_rawDesc${idx} = []byte{
	${raw},
}

""")


class GeneratedWriter:
    """Generated-code files: deepcopy, typed clients, mocks, stringers, large files."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names = Namer(rng)

    def type_names(self, count: int) -> list[str]:
        out: list[str] = []
        while len(out) < count:
            t = self.names.type_name()
            if t not in out:
                out.append(t)
        return out

    def deepcopy(self, pkg: str, types: list[str]) -> str:
        head = (GEN_HEADER.format(tool="controller-gen") + f"package {pkg}\n\n"
                'import (\n\truntime "k8s.io/apimachinery/pkg/runtime"\n)\n\n')
        return head + "".join(T_DEEPCOPY.substitute(T=t) for t in types)

    def client(self, group: str, module: str, types: list[str]) -> str:
        head = (GEN_HEADER.format(tool="client-gen") + "package v1\n\nimport (\n\t\"context\"\n\t\"time\"\n\n"
                f'\t{group}v1 "{module}/api/{group}/v1"\n'
                '\tmetav1 "k8s.io/apimachinery/pkg/apis/meta/v1"\n\t"k8s.io/apimachinery/pkg/watch"\n'
                '\trest "k8s.io/client-go/rest"\n)\n\n')
        return head + "".join(T_CLIENT.substitute(T=t, lT=lower_camel(t), group=group) for t in types)

    def mock(self, pkg: str, count: int) -> str:
        iface = self.names.type_name() + "Store"
        head = (GEN_HEADER.format(tool="MockGen") + f"package {pkg}\n\nimport (\n\t\"context\"\n\t\"reflect\"\n\n"
                '\tgomock "go.uber.org/mock/gomock"\n)\n\n'
                f"// Mock{iface} is a mock of {iface} interface.\ntype Mock{iface} struct {{\n"
                f"\tctrl     *gomock.Controller\n\trecorder *Mock{iface}MockRecorder\n}}\n\n")
        units = []
        for t in self.type_names(count):
            verb = self.names.verb()
            units.append(T_MOCK.substitute(Verb=cap(verb), T=t, I=iface))
        return head + "".join(units)

    def stringer(self, pkg: str) -> str:
        t = self.names.type_name()
        n = self.rng.randint(4, 30)
        names = "".join(camel(self.names.verb()) + str(i) for i in range(n))
        idx = ", ".join(str(i * 7) for i in range(n + 1))
        return (f'// Code generated by "stringer -type={t}"; DO NOT EDIT.\n\n'
                + f"package {pkg}\n\nimport \"strconv\"\n\n"
                f"const _{t}_name = \"{names}\"\n\nvar _{t}_index = [...]uint16{{{idx}}}\n\n"
                f"func (i {t}) String() string {{\n\tif i < 0 || i >= {t}(len(_{t}_index)-1) {{\n"
                f"\t\treturn \"{t}(\" + strconv.FormatInt(int64(i), 10) + \")\"\n\t}}\n"
                f"\treturn _{t}_name[_{t}_index[i]:_{t}_index[i+1]]\n}}\n")

    def large_deepcopy(self, size: int) -> str:
        parts = [self.deepcopy("v1", [])]
        total = len(parts[0])
        idx = 0
        while total < size:
            unit = T_DEEPCOPY.substitute(T=f"{self.names.type_name()}V{idx}")
            parts.append(unit)
            total += len(unit)
            idx += 1
        return "".join(parts)

    def openapi(self, size: int) -> str:
        parts = [GEN_HEADER.format(tool="openapi-gen"), "package openapi\n\nimport (\n"
                 '\tcommon "k8s.io/kube-openapi/pkg/common"\n\tspec "k8s.io/kube-openapi/pkg/validation/spec"\n)\n\n']
        total = sum(map(len, parts))
        while total < size:
            t = self.names.type_name()
            fields = self.names.fields(self.rng.randint(4, 16))
            props = "".join(T_OPENAPI_PROP.substitute(
                f=lower_camel(tag), F=name, noun=self.names.noun(), adj=self.rng.choice(ADJS),
                typ=self.rng.choice(("string", "integer", "boolean", "array", "object")))
                for name, _, tag in fields)
            unit = T_OPENAPI.substitute(group=self.rng.choice(AREAS), T=t, lT=lower_camel(t),
                                        props=props, first=lower_camel(fields[0][2]))
            parts.append(unit)
            total += len(unit)
        return "".join(parts)

    def bindata(self, size: int) -> str:
        parts = [GEN_HEADER.format(tool="go-bindata"),
                 "package assets\n\nimport (\n\t\"bytes\"\n\t\"compress/gzip\"\n\t\"io\"\n)\n\n"]
        total = sum(map(len, parts))
        idx = 0
        while total < size:
            n = self.rng.randint(2000, 12000)
            blob = self.rng.randbytes(n).hex()
            body = "".join("\\x" + blob[i:i + 2] for i in range(0, len(blob), 2))
            name = f"_assets{camel(self.names.noun())}{idx}Yaml"
            unit = (f"var {name} = []byte(\"{body}\")\n\n"
                    f"func {name}Bytes() ([]byte, error) {{\n\treturn bindataRead({name}, \"{name}\")\n}}\n\n")
            parts.append(unit)
            total += len(unit)
            idx += 1
        return "".join(parts)

    def protobuf(self, size: int) -> str:
        parts = [GEN_HEADER.format(tool="protoc-gen-go"),
                 "package platformpb\n\nimport (\n\tprotoreflect \"google.golang.org/protobuf/reflect/protoreflect\"\n"
                 "\tprotoimpl \"google.golang.org/protobuf/runtime/protoimpl\"\n)\n\n"]
        total = sum(map(len, parts))
        idx = 0
        while total < size:
            t = self.names.type_name()
            fields = self.names.fields(self.rng.randint(3, 10))
            wn = max(len(f[0]) for f in fields)
            decl = "".join(T_PB_FIELD.substitute(name=f"{n:<{wn}}", num=i + 1, tag=tag)
                           for i, (n, _, tag) in enumerate(fields))
            msg = f"{t}{idx}"
            getters = "".join(T_PB_GETTER.substitute(M=msg, F=n) for n, _, _ in fields)
            raw = ", ".join(f"0x{b:02x}" for b in self.rng.randbytes(self.rng.randint(64, 512)))
            unit = T_PB_MESSAGE.substitute(M=msg, idx=idx, fields=decl, getters=getters, raw=raw)
            parts.append(unit)
            total += len(unit)
            idx += 1
        return "".join(parts)


# --------------------------------------------------------------------------
# E2E infrastructure packages (builders, deployments, goroutines, bugs)
# --------------------------------------------------------------------------

E2E_IMPORTS = """import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"golang.org/x/sync/errgroup"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"${module}/test/e2e/infrastructure"
)

"""

INFRA_CONFIG = """package infrastructure

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// Config describes how the E2E suites build images and talk to Kind.
type Config struct {
	ClusterName  string
	KindBinary   string
	Docker       string
	ContextDir   string
	Dockerfile   string
	Registry     string
	Tag          string
	ImageRef     string
	Components   []string
	BuildTimeout time.Duration
	Kubeconfig   string
}

// LoadConfig reads the E2E configuration from the environment.
func LoadConfig(app string) (*Config, error) {
	cfg := &Config{
		ClusterName:  envOr("KIND_CLUSTER", "e2e"),
		KindBinary:   envOr("KIND", "kind"),
		Docker:       envOr("DOCKER", "docker"),
		ContextDir:   envOr("E2E_CONTEXT", "."),
		Dockerfile:   envOr("E2E_DOCKERFILE", "Dockerfile"),
		Registry:     envOr("E2E_REGISTRY", "example.com/acme"),
		Tag:          envOr("E2E_TAG", "e2e"),
		Components:   strings.Fields(envOr("E2E_COMPONENTS", "${components}")),
		BuildTimeout: 10 * time.Minute,
	}
	cfg.ImageRef = fmt.Sprintf("%s/%s:%s", cfg.Registry, app, "latest")
	if cfg.ClusterName == "" {
		return nil, fmt.Errorf("KIND_CLUSTER must not be empty")
	}
	return cfg, nil
}

func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}
"""

INFRA_BUILDER = """package infrastructure

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
)

// BuildImageForKind builds the image of contextDir and returns its reference.
// The reference is only known after the build: callers must use it.
func BuildImageForKind(ctx context.Context, contextDir, tag string) (string, error) {
	name := strings.ToLower(filepath.Base(filepath.Clean(contextDir)))
	if name == "." || name == "/" {
		name = "app"
	}
	ref := fmt.Sprintf("localhost/%s:%s-%s", name, tag, shortHash(contextDir))
	cmd := exec.CommandContext(ctx, "docker", "build", "-t", ref, "-f", filepath.Join(contextDir, "Dockerfile"), contextDir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("docker build %s: %w: %s", contextDir, err, stderr.String())
	}
	return ref, nil
}

// BuildAndLoadImageToKind builds the configured image and loads it into the
// Kind cluster; it returns the reference that deployments must use.
func BuildAndLoadImageToKind(cfg *Config, w io.Writer) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), cfg.BuildTimeout)
	defer cancel()
	image, err := BuildImageForKind(ctx, cfg.ContextDir, cfg.Tag)
	if err != nil {
		return "", err
	}
	if err := loadImage(ctx, cfg, image, w); err != nil {
		return "", fmt.Errorf("kind load %s: %w", image, err)
	}
	fmt.Fprintf(w, "loaded %s into kind cluster %s\\n", image, cfg.ClusterName)
	return image, nil
}

func loadImage(ctx context.Context, cfg *Config, image string, w io.Writer) error {
	cmd := exec.CommandContext(ctx, cfg.KindBinary, "load", "docker-image", image, "--name", cfg.ClusterName)
	cmd.Stdout = w
	cmd.Stderr = w
	return cmd.Run()
}

func shortHash(s string) string {
	var h uint32 = 2166136261
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return fmt.Sprintf("%08x", h)
}
"""

INFRA_DEPLOY = """package infrastructure

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// NewDeployment returns a single-container Deployment running image.
func NewDeployment(name, namespace, image string, replicas int32) *appsv1.Deployment {
	labels := map[string]string{"app.kubernetes.io/name": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					Containers: []corev1.Container{{
						Name:            name,
						Image:           image,
						ImagePullPolicy: corev1.PullNever,
					}},
				},
			},
		},
	}
}

// DeployApp creates the Deployment of the application under test.
func DeployApp(ctx context.Context, c client.Client, namespace, image string) error {
	dep := NewDeployment("app", namespace, image, 1)
	if err := c.Create(ctx, dep); err != nil {
		return fmt.Errorf("create deployment %s/%s: %w", namespace, dep.Name, err)
	}
	return nil
}
"""

INFRA_KIND = """package infrastructure

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/exec"
	"sync"
)

// CreateCluster creates the Kind cluster and streams its output to w.
func CreateCluster(ctx context.Context, cfg *Config, w io.Writer) error {
	cmd := exec.CommandContext(ctx, cfg.KindBinary, "create", "cluster", "--name", cfg.ClusterName, "--wait", "5m")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("kind create cluster: %w", err)
	}
	var wg sync.WaitGroup
	for _, r := range []io.Reader{stdout, stderr} {
		wg.Add(1)
		go func(r io.Reader) {
			defer wg.Done()
			sc := bufio.NewScanner(r)
			for sc.Scan() {
				fmt.Fprintln(w, sc.Text())
			}
		}(r)
	}
	wg.Wait()
	return cmd.Wait()
}

// KubectlApply applies a manifest to the cluster.
func KubectlApply(ctx context.Context, cfg *Config, manifest string) error {
	cmd := exec.CommandContext(ctx, "kubectl", "--context", "kind-"+cfg.ClusterName, "apply", "-f", "-")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	go func() {
		defer stdin.Close()
		_, _ = io.WriteString(stdin, manifest)
	}()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("kubectl apply: %w: %s", err, out)
	}
	return nil
}
"""

INFRA_REBUILD = """package infrastructure

import (
	"context"
	"fmt"
	"io"
)

// RebuildComponents rebuilds every component listed in cfg.Components.
func RebuildComponents(ctx context.Context, cfg *Config) error {
	for _, comp := range cfg.Components {
		if _, err := BuildImageForKind(ctx, comp, cfg.Tag); err != nil {\x01IMG001:ifinit-local\x01
			return fmt.Errorf("rebuild %s: %w", comp, err)
		}
	}
	return nil
}

// RebuildAndLoad rebuilds the main image and returns the loaded reference.
func RebuildAndLoad(cfg *Config, w io.Writer) (string, error) {
	image, err := BuildAndLoadImageToKind(cfg, w)
	if err != nil {
		return "", fmt.Errorf("rebuild and load: %w", err)
	}
	return image, nil
}
"""

INFRA_WAIT = """package infrastructure

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// WaitForRollout polls until the Deployment reports all replicas available.
func WaitForRollout(ctx context.Context, c client.Client, key client.ObjectKey, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ticker := time.NewTicker(2 * time.Second)
	defer ticker.Stop()
	for {
		var dep appsv1.Deployment
		if err := c.Get(ctx, key, &dep); err == nil {
			if dep.Status.AvailableReplicas == *dep.Spec.Replicas {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("deployment %s not available: %w", key, ctx.Err())
		case <-ticker.C:
		}
	}
}

// NewClient returns a controller-runtime client for the Kind cluster.
func NewClient(cfg *Config) (client.Client, error) {
	return newClientFromKubeconfig(cfg.Kubeconfig)
}
"""

INFRA_MANIFESTS = """package infrastructure

import (
	"bytes"
	"text/template"
)

// appTemplate renders the application manifest; the image comes from the build.
var appTemplate = template.Must(template.New("app").Parse(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Name }}
  namespace: {{ .Namespace }}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: {{ .Name }}
  template:
    metadata:
      labels:
        app: {{ .Name }}
    spec:
      containers:
      - name: {{ .Name }}
        image: {{ .Image }}
        imagePullPolicy: Never
`))

// RenderApp renders the application manifest for image.
func RenderApp(name, namespace, image string) (string, error) {
	var buf bytes.Buffer
	err := appTemplate.Execute(&buf, map[string]string{"Name": name, "Namespace": namespace, "Image": image})
	return buf.String(), err
}
"""

T_SETUP = Template("""package ${pkg}

${imports}var (
	cfg         *infrastructure.Config
	k8sClient   client.Client
	imageName   string
	suiteCtx    context.Context
	cancelSuite context.CancelFunc
)

const (
	testNamespace = "e2e-${pkg}"
	appName       = "${app}"
	defaultImage  = "example.com/acme/${app}:latest"
	rolloutWait   = ${wait} * time.Second
)

var (
	_ = appsv1.Deployment{}
	_ = corev1.Container{}
	_ = metav1.ObjectMeta{}
	_ = ptr.To[int32]
	_ sync.Mutex
	_ = errgroup.Group{}
	_ io.Writer
	_ = fmt.Sprint
	_ = Describe
	_ = Equal
)

""")

T_BEFORE_SUITE = Template("""func TestE2E${Suite}(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "${pkg} e2e suite")
}

var _ = BeforeSuite(func() {
	suiteCtx, cancelSuite = context.WithCancel(context.Background())
	loaded, err := infrastructure.LoadConfig(appName)
	Expect(err).NotTo(HaveOccurred())
	cfg = loaded

	By("building the ${app} image and loading it into Kind")
${build}	Expect(err).NotTo(HaveOccurred())

	k8sClient, err = infrastructure.NewClient(cfg)
	Expect(err).NotTo(HaveOccurred())
})

var _ = AfterSuite(func() {
	if cancelSuite != nil {
		cancelSuite()
	}
})

""")

BEFORE_SUITE_BUILD = {
    None: "\timageName, err = infrastructure.BuildAndLoadImageToKind(cfg, GinkgoWriter)\n",
    "define": "\t{\n\t\t_, err := infrastructure.BuildAndLoadImageToKind(cfg, GinkgoWriter)"
              + mark("IMG001", "define") + "\n\t\tExpect(err).NotTo(HaveOccurred())\n\t}\n",
    "bare": "\tinfrastructure.BuildAndLoadImageToKind(cfg, GinkgoWriter)" + mark("IMG001", "bare") + "\n",
}

T_HELPER_CLEAN = Template("""// rebuild${X} rebuilds the ${comp} image after a source change.
func rebuild${X}(ctx context.Context) (string, error) {
	img, err := infrastructure.BuildImageForKind(ctx, "${dir}", cfg.Tag)
	if err != nil {
		return "", fmt.Errorf("rebuild ${comp}: %w", err)
	}
	return img, nil
}

""")

HELPER_BUGS = {
    "assign": Template("""// rebuild${X} rebuilds the ${comp} image after a source change.
func rebuild${X}(ctx context.Context) error {
	var err error
	_, err = infrastructure.BuildImageForKind(ctx, "${dir}", cfg.Tag)""" + mark("IMG001", "assign") + """
	return err
}

"""),
    "ifinit": Template("""// rebuild${X} rebuilds the ${comp} image after a source change.
func rebuild${X}(ctx context.Context) error {
	if _, err := infrastructure.BuildImageForKind(ctx, "${dir}", cfg.Tag); err != nil {""" + mark("IMG001", "ifinit") + """
		return fmt.Errorf("rebuild ${comp}: %w", err)
	}
	return nil
}

"""),
    "define": Template("""// reload${X} reloads the main image into Kind.
func reload${X}() error {
	_, err := infrastructure.BuildAndLoadImageToKind(cfg, GinkgoWriter)""" + mark("IMG001", "define") + """
	if err != nil {
		return fmt.Errorf("reload ${comp}: %w", err)
	}
	return nil
}

"""),
    "bare": Template("""// reload${X} reloads the main image into Kind.
func reload${X}() {
	infrastructure.BuildAndLoadImageToKind(cfg, GinkgoWriter)""" + mark("IMG001", "bare") + """
}

"""),
    "defer": Template("""// withFresh${X} runs fn and rebuilds the ${comp} image afterwards.
func withFresh${X}(fn func() error) error {
	defer infrastructure.BuildAndLoadImageToKind(cfg, io.Discard)""" + mark("IMG001", "defer") + """
	return fn()
}

"""),
    "go": Template("""// prewarm${X} starts building the ${comp} image in the background.
func prewarm${X}(ctx context.Context) {
	go infrastructure.BuildImageForKind(ctx, "${dir}", cfg.Tag)""" + mark("IMG001", "go") + """
}

"""),
}

T_FANOUT_WG = Template("""// build${X}Images builds every component image concurrently.
func build${X}Images(ctx context.Context, components []string) (map[string]string, error) {
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		images = make(map[string]string, len(components))
		errs   = make([]error, len(components))
	)
	for i, comp := range components {
		wg.Add(1)
		go func(i int, comp string) {
			defer wg.Done()
			defer GinkgoRecover()
${body}		}(i, comp)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return images, nil
}

""")

FANOUT_BODY = {
    None: """			img, err := infrastructure.BuildImageForKind(ctx, comp, cfg.Tag)
			if err != nil {
				errs[i] = err
				return
			}
			mu.Lock()
			images[comp] = img
			mu.Unlock()
""",
    "goroutine-assign": """			_, errs[i] = infrastructure.BuildImageForKind(ctx, comp, cfg.Tag)""" + mark("IMG001", "goroutine-assign") + """
			mu.Lock()
			images[comp] = fmt.Sprintf("%s/%s:%s", cfg.Registry, comp, cfg.Tag)
			mu.Unlock()
""",
}

T_FANOUT_ERRGROUP = Template("""// build${X}Parallel builds the ${c1} and ${c2} images in parallel.
func build${X}Parallel(ctx context.Context) (first, second string, err error) {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		img, err := infrastructure.BuildImageForKind(gctx, "${c1}", cfg.Tag)
		if err != nil {
			return err
		}
		first = img
		return nil
	})
	g.Go(func() error {
${second}	})
	err = g.Wait()
	return first, second, err
}

""")

ERRGROUP_SECOND = {
    None: """		img, err := infrastructure.BuildImageForKind(gctx, "${c2}", cfg.Tag)
		if err != nil {
			return err
		}
		second = img
		return nil
""",
    "errgroup-define": """		_, err := infrastructure.BuildImageForKind(gctx, "${c2}", cfg.Tag)""" + mark("IMG001", "errgroup-define") + """
		second = fmt.Sprintf("localhost/${c2}:%s", cfg.Tag)
		return err
""",
}

T_DEPLOY_IT = Template("""var _ = Describe("${Feature} ${name}", Ordered, func() {
	var dep *appsv1.Deployment

	BeforeEach(func() {
		dep = &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: "${name}", Namespace: testNamespace, Labels: map[string]string{"app": "${name}"}},
			Spec: appsv1.DeploymentSpec{
				Replicas: ptr.To[int32](${n}),
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "${name}"}},
				Template: corev1.PodTemplateSpec{
					ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "${name}"}},
					Spec: corev1.PodSpec{
						Containers: []corev1.Container{{
							Name:            "${name}",
${image}							ImagePullPolicy: corev1.PullNever,
							Ports:           []corev1.ContainerPort{{ContainerPort: ${port}}},
						}},
					},
				},
			},
		}
	})

	AfterEach(func() {
		_ = k8sClient.Delete(suiteCtx, dep)
	})

	It("${sentence}", func() {
		Expect(k8sClient.Create(suiteCtx, dep)).To(Succeed())
		Eventually(func(g Gomega) {
			var got appsv1.Deployment
			g.Expect(k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(dep), &got)).To(Succeed())
			g.Expect(got.Status.AvailableReplicas).To(Equal(int32(${n})))
		}).WithTimeout(rolloutWait).WithPolling(2 * time.Second).Should(Succeed())
	})

	It("rolls out the rebuilt ${name}", func() {
		img, err := infrastructure.BuildImageForKind(suiteCtx, "${dir}", cfg.Tag)
		Expect(err).NotTo(HaveOccurred())
		GinkgoWriter.Printf("built %s\\n", img)
${deploy}	})
})

""")

DEPLOY_IMAGE = {
    None: "\t\t\t\t\t\t\tImage:           imageName,\n",
    "literal": "\t\t\t\t\t\t\tImage:           \"localhost/${app}:e2e-test\"," + mark("IMG002", "literal") + "\n",
}

DEPLOY_ROLLOUT = {
    None: "\t\tExpect(infrastructure.DeployApp(suiteCtx, k8sClient, testNamespace, img)).To(Succeed())\n",
    "img003-arg": "\t\tExpect(infrastructure.DeployApp(suiteCtx, k8sClient, testNamespace, defaultImage)).To(Succeed())"
                  + mark("IMG003", "img003-arg") + "\n",
    "img003-field": "\t\tdep.Spec.Template.Spec.Containers[0].Image = cfg.ImageRef" + mark("IMG003", "img003-field")
                    + "\n\t\tExpect(k8sClient.Update(suiteCtx, dep)).To(Succeed())\n",
}

# the Deployment manifest both profiles start from (the dense one adds an env var)
MANIFEST_HEAD = """const ${x}Manifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: %s
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
      - name: ${name}
${image}        imagePullPolicy: Never
        ports:
        - containerPort: ${port}
"""

T_MANIFEST = Template(MANIFEST_HEAD + """`

// apply${X}Manifest applies the ${name} manifest with the built image.
func apply${X}Manifest(ctx context.Context) error {
	manifest := fmt.Sprintf(${x}Manifest, testNamespace${args})
	return infrastructure.KubectlApply(ctx, cfg, manifest)
}

""")

MANIFEST_IMAGE = {
    None: ("        image: %s\n", ", imageName"),
    "yaml": ("        image: localhost/${name}:e2e-test" + mark("IMG002", "yaml") + "\n", ""),
}

T_LOGS = Template("""// stream${X}Logs copies the logs of every pod of the suite to GinkgoWriter.
func stream${X}Logs(ctx context.Context, pods []string) {
	var wg sync.WaitGroup
	lines := make(chan string, 64)
	for _, pod := range pods {
		wg.Add(1)
		go func(pod string) {
			defer wg.Done()
			defer GinkgoRecover()
			for i := 0; i < ${n}; i++ {
				select {
				case <-ctx.Done():
					return
				case lines <- fmt.Sprintf("[%s] tick %d", pod, i):
				}
			}
		}(pod)
	}
	go func() {
		wg.Wait()
		close(lines)
	}()
	for line := range lines {
		fmt.Fprintln(GinkgoWriter, line)
	}
}

""")

T_TABLE_IT = Template("""var _ = DescribeTable("${Feature} configuration",
	func(replicas int32, wantReady bool) {
		dep := infrastructure.NewDeployment("${name}-table", testNamespace, imageName, replicas)
		err := k8sClient.Create(suiteCtx, dep)
		Expect(err == nil).To(Equal(wantReady))
	},
${entries})

""")

T_ROLLOUT_TARGET = Template("""package ${pkg}

import (
	"context"
	"fmt"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"${module}/test/e2e/infrastructure"
)

// redeploy${X} rebuilds the ${comp} image and rolls it out, using the
// reference returned by the builder.
func redeploy${X}(ctx context.Context) error {
	img, err := infrastructure.BuildImageForKind(ctx, "${dir}", cfg.Tag)
	if err != nil {
		return fmt.Errorf("build ${comp}: %w", err)
	}
	dep := infrastructure.NewDeployment("${comp}", testNamespace, img, ${n})
	if err := k8sClient.Create(ctx, dep); err != nil {
		return fmt.Errorf("create ${comp}: %w", err)
	}
	return infrastructure.WaitForRollout(ctx, k8sClient, client.ObjectKeyFromObject(dep), ${wait}*time.Second)
}

// reloadMain${X} reloads the main image and updates the suite-wide reference.
func reloadMain${X}() error {
	img, err := infrastructure.BuildAndLoadImageToKind(cfg, GinkgoWriter)
	if err != nil {
		return err
	}
	imageName = img
	return infrastructure.DeployApp(suiteCtx, k8sClient, testNamespace, imageName)
}

""")

# Where each bug kind goes: (file role, snippet kind).
BUG_SLOTS: dict[str, tuple[str, str]] = {
    "define": ("helpers", "helper"),
    "assign": ("helpers", "helper"),
    "ifinit": ("helpers", "helper"),
    "bare": ("helpers", "helper"),
    "go": ("helpers", "helper"),
    "defer": ("helpers", "helper"),
    "goroutine-assign": ("images", "fanout"),
    "errgroup-define": ("images", "errgroup"),
    "literal": ("feature", "deploy"),
    "img003-arg": ("feature", "deploy"),
    "img003-field": ("feature", "deploy"),
    "yaml": ("manifests", "manifest"),
}
# Planted bugs per shard (the infrastructure package adds one ifinit-local).
BUG_QUOTA: tuple[tuple[str, int], ...] = (
    ("define", 3), ("assign", 2), ("ifinit", 2), ("bare", 2), ("go", 2), ("defer", 1),
    ("goroutine-assign", 2), ("errgroup-define", 1),
    ("literal", 3), ("yaml", 3),
    ("img003-arg", 2), ("img003-field", 2),
)
BEFORE_SUITE_BUGS = ("define", "bare")


@dataclass
class Snippet:
    kind: str
    bug: str | None = None


@dataclass
class E2EFile:
    name: str
    role: str
    snippets: list[Snippet] = field(default_factory=list)
    target: bool = False


class E2EWriter:
    """Builds the E2E suites of one shard, places the planted bugs, renders files."""

    def __init__(self, rng: random.Random, module: str) -> None:
        self.rng = rng
        self.module = module
        self.names = Namer(rng)
        self.counter = 0

    def uid(self) -> str:
        self.counter += 1
        return f"{camel(self.rng.choice(COMPONENTS))}{self.counter}"

    def plan_suite(self, suite: str, target: bool) -> list[E2EFile]:
        files = [
            E2EFile("setup.go", "setup", [Snippet("logs")]),
            E2EFile("suite_test.go", "suite", [Snippet("before")]),
            E2EFile("helpers.go", "helpers", [Snippet("helper"), Snippet("helper"), Snippet("logs")]),
            E2EFile("images.go", "images", [Snippet("fanout"), Snippet("errgroup")]),
            E2EFile("manifests.go", "manifests", [Snippet("manifest")]),
        ]
        for i in range(self.rng.randint(1, 3)):
            feature = self.rng.choice(("rollout", "scaling", "upgrade", "probes", "config", "restart"))
            files.append(E2EFile(f"{feature}_{i}_test.go", "feature",
                                 [Snippet("deploy"), Snippet("table"), Snippet("deploy")]))
        files.append(E2EFile("redeploy.go", "target", [], target=target))
        return files

    def place_bug(self, files: list[E2EFile], bug: str) -> None:
        if bug in BEFORE_SUITE_BUGS:
            for sn in files[1].snippets:
                if sn.kind == "before" and sn.bug is None and self.rng.random() < 0.5:
                    sn.bug = bug
                    return
        role, kind = BUG_SLOTS[bug]
        candidates = [f for f in files if f.role == role and not f.target]
        for f in candidates:
            for sn in f.snippets:
                if sn.kind == kind and sn.bug is None:
                    sn.bug = bug
                    return
        self.rng.choice(candidates).snippets.append(Snippet(kind, bug))

    def render_snippet(self, suite: str, sn: Snippet) -> str:
        rng = self.rng
        x = self.uid()
        comp = rng.choice(COMPONENTS)
        base = {"X": x, "comp": comp, "dir": f"images/{comp}", "pkg": suite, "app": f"{suite}-app",
                "Suite": camel(suite), "n": rng.randint(1, 5), "port": rng.choice((8080, 8443, 9090)),
                "name": f"{suite}-{comp}", "x": lower_camel(x), "c1": rng.choice(COMPONENTS),
                "c2": rng.choice(COMPONENTS), "Feature": camel(rng.choice(SENTENCES).split()[0]),
                "sentence": rng.choice(SENTENCES)}
        if sn.kind == "before":
            return T_BEFORE_SUITE.substitute(base, build=BEFORE_SUITE_BUILD[sn.bug])
        if sn.kind == "helper":
            tpl = T_HELPER_CLEAN if sn.bug is None else HELPER_BUGS[sn.bug]
            return tpl.substitute(base)
        if sn.kind == "fanout":
            return T_FANOUT_WG.substitute(base, body=FANOUT_BODY[sn.bug])
        if sn.kind == "errgroup":
            second = Template(ERRGROUP_SECOND[sn.bug]).substitute(base)
            return T_FANOUT_ERRGROUP.substitute(base, second=second)
        if sn.kind == "deploy":
            image_bug = sn.bug if sn.bug == "literal" else None
            rollout_bug = sn.bug if sn.bug in ("img003-arg", "img003-field") else None
            image = Template(DEPLOY_IMAGE[image_bug]).substitute(base)
            return T_DEPLOY_IT.substitute(base, image=image, deploy=DEPLOY_ROLLOUT[rollout_bug])
        if sn.kind == "manifest":
            line, args = MANIFEST_IMAGE[sn.bug]
            return T_MANIFEST.substitute(base, image=Template(line).substitute(base), args=args)
        if sn.kind == "logs":
            return T_LOGS.substitute(base)
        if sn.kind == "table":
            entries = "".join(f'\tEntry("{r} replicas", int32({r}), true),\n' for r in range(1, rng.randint(3, 7)))
            return T_TABLE_IT.substitute(base, entries=entries)
        raise ValueError(sn.kind)

    def render_file(self, suite: str, f: E2EFile) -> str:
        if f.role == "target":
            x = self.uid()
            comp = self.rng.choice(COMPONENTS)
            return T_ROLLOUT_TARGET.substitute(pkg=suite, module=self.module, X=x, comp=comp,
                                               dir=f"images/{comp}", n=self.rng.randint(1, 3),
                                               wait=self.rng.choice((60, 120, 180)))
        imports = Template(E2E_IMPORTS).substitute(module=self.module)
        if f.role == "suite":
            imports = imports.replace('\t"sync"\n', '\t"sync"\n\t"testing"\n', 1)
        if f.role == "setup":
            head = T_SETUP.substitute(pkg=suite, imports=imports, app=f"{suite}-app",
                                      wait=self.rng.choice((60, 120, 180)))
        else:
            head = f"package {suite}\n\n{imports}"
        return head + "".join(self.render_snippet(suite, sn) for sn in f.snippets)

    def infrastructure_files(self) -> dict[str, str]:
        comps = " ".join(self.rng.sample(COMPONENTS, 4))
        return {
            "config.go": Template(INFRA_CONFIG).substitute(components=comps),
            "builder.go": INFRA_BUILDER,
            "deploy.go": INFRA_DEPLOY,
            "kind.go": INFRA_KIND,
            "rebuild.go": INFRA_REBUILD,
            "wait.go": INFRA_WAIT,
            "manifests.go": INFRA_MANIFESTS,
        }

    def build(self, file_budget: int) -> tuple[dict[str, str], str]:
        """Return {relative path: content} for the E2E tree and the one-file target."""
        out = {f"test/e2e/infrastructure/{k}": v for k, v in self.infrastructure_files().items()}
        suites: list[tuple[str, list[E2EFile]]] = []
        names = list(SUITES)
        self.rng.shuffle(names)
        count = len(out)
        while count < file_budget and names:
            suite = names.pop()
            files = self.plan_suite(suite, target=not suites)
            suites.append((suite, files))
            count += len(files)
        bugs = [kind for kind, n in BUG_QUOTA for _ in range(n)]
        self.rng.shuffle(bugs)
        for i, bug in enumerate(bugs):
            self.place_bug(suites[i % len(suites)][1], bug)
        target = ""
        for suite, files in suites:
            for f in files:
                path = f"test/e2e/{suite}/{f.name}"
                out[path] = self.render_file(suite, f)
                if f.target:
                    target = path
        return out, target


# --------------------------------------------------------------------------
# The dense profile: a large E2E infrastructure package
# --------------------------------------------------------------------------
#
# Real monorepos keep most of their E2E weight in one infrastructure package:
# about 60 files and 1.7 MB, the largest 50-100 KB, made of setup functions of
# 200-400 lines that fan out goroutines, send results on channels, generate
# image names, run podman and kind directly and apply YAML manifests.

DENSE_GO_FILES = 3005
DENSE_GO_BYTES = 31_600_000
DENSE_INFRA_BYTES = 1_700_000
DENSE_SETUP_FILES = 32
DENSE_TEST_FILES = 21
# Setup files whose functions call BuildAndLoadImageToKind (the rest build with podman directly).
DENSE_BUILDER_FILES = 3
# Two suites of 7-9 files each.
DENSE_SUITE_FILE_BUDGET = 14
# config, builder, deploy, kind, rebuild, wait and manifests (E2EWriter.infrastructure_files).
BASE_INFRA_FILES = 7
# Planted bugs of the infrastructure package, per shard: (kind, count).
DENSE_BUG_QUOTA: tuple[tuple[str, int], ...] = (
    ("goroutine-define", 2), ("setup-yaml", 2), ("setup-literal", 2), ("img003-fresh", 2),
)
DENSE_BUG_RULES = {"goroutine-define": "IMG001", "setup-yaml": "IMG002", "setup-literal": "IMG002",
                   "img003-fresh": "IMG003"}
DENSE_COMPONENTS = (
    "datastorage", "gateway", "notifier", "analyzer", "workflow", "signals", "remediation",
    "effectiveness", "toolset", "authwebhook", "exporter", "dashboard", "scheduler", "ingester",
    "router", "auditor", "planner", "executor", "collector", "enricher", "classifier", "escalator",
    "recorder", "replayer", "archiver", "indexer", "resolver", "throttler", "validator", "mutator",
    "reporter", "forwarder",
)
BUILDER_CALL_RE = re.compile(r"\b(?:BuildAndLoadImageToKind|BuildImageForKind|LoadImageToKind)\(")

DENSE_NAMES = """package infrastructure

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// setupResult is what a setup goroutine sends back on its result channel.
type setupResult struct {
	step   string
	image  string
	output []byte
	err    error
}

// GenerateImageName returns a fresh image reference for component: every
// call returns a new tag, so a caller must keep the name it built with.
func GenerateImageName(component string) string {
	buf := make([]byte, 4)
	_, _ = rand.Read(buf)
	return fmt.Sprintf("localhost/%s:e2e-%s", component, hex.EncodeToString(buf))
}

// applyObject applies obj to the Kind cluster with kubectl.
func applyObject(ctx context.Context, cfg *Config, obj client.Object) error {
	data, err := yaml.Marshal(obj)
	if err != nil {
		return fmt.Errorf("marshal %s: %w", obj.GetName(), err)
	}
	return KubectlApply(ctx, cfg, string(data))
}

// waitForPods waits until every pod that matches selector is ready.
func waitForPods(ctx context.Context, cfg *Config, namespace, selector string, timeout time.Duration) error {
	cmd := exec.CommandContext(ctx, "kubectl", "--context", "kind-"+cfg.ClusterName, "wait", "pod",
		"-n", namespace, "-l", selector, "--for=condition=Ready", "--timeout="+timeout.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("kubectl wait %s: %w: %s", strings.TrimSpace(selector), err, out)
	}
	return nil
}
"""

DENSE_SETUP_IMPORTS = """import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

"""

T_DENSE_OPTIONS = Template("""// ${Comp}Options configures the ${comp} deployment of the E2E suites.
type ${Comp}Options struct {
	Image     string
	Namespace string
	Replicas  int32
	LogLevel  string
	Port      int32
	ExtraArgs []string
}

// args renders the command line of the ${comp} container; the image is
// passed on so that the process can report which build it runs.
func (o ${Comp}Options) args() []string {
	args := []string{"--image", o.Image, "--namespace", o.Namespace, "--log-level", o.LogLevel}
	args = append(args, fmt.Sprintf("--port=%d", o.Port))
	return append(args, o.ExtraArgs...)
}

""")

T_DENSE_MANIFEST = Template(MANIFEST_HEAD + """        env:
        - name: UPSTREAM
          value: ${comp}.%s.svc:${port}
`

""")

DENSE_MANIFEST_IMAGE = {
    None: ("        image: %s\n", "namespace, imageName, namespace"),
    "setup-yaml": ("        image: localhost/${name}:e2e-test" + mark("IMG002", "setup-yaml") + "\n",
                   "namespace, namespace"),
}

T_DENSE_HEAD = Template("""// Setup${X}Infrastructure builds the ${comp} images, loads them into Kind
// and deploys ${comp} with its dependencies. It returns once every pod is ready.
func Setup${X}Infrastructure(ctx context.Context, cfg *Config, namespace string, w io.Writer) error {
	start := time.Now()
${image_decl}	migratorImage := GenerateImageName("${comp}-migrator")
	opts := ${Comp}Options{
		Image:     imageName,
		Namespace: namespace,
		Replicas:  ${n},
		LogLevel:  "${level}",
		Port:      ${port},
	}
	results := make(chan setupResult, ${k})
	fmt.Fprintf(w, "setting up ${comp} in %s\\n", namespace)

""")

T_DENSE_GO_PODMAN = Template("""	go func() {
${decl}		build := exec.CommandContext(ctx, "podman", "build", "-t", ${var}, "-f", "${dir}/Dockerfile", "${dir}")
		out, err := build.CombinedOutput()
		if err != nil {
			results <- setupResult{step: "build ${what}", image: ${var}, output: out, err: err}
			return
		}
		archive := filepath.Join(os.TempDir(), "${what}-${i}.tar")
		save := exec.CommandContext(ctx, "podman", "save", "-o", archive, ${var})
		if out, err := save.CombinedOutput(); err != nil {
			results <- setupResult{step: "save ${what}", image: ${var}, output: out, err: err}
			return
		}
		defer os.Remove(archive)
		load := exec.CommandContext(ctx, cfg.KindBinary, "load", "image-archive", archive, "--name", cfg.ClusterName)
		out, err = load.CombinedOutput()
		results <- setupResult{step: "load ${what}", image: ${var}, output: out, err: err}
	}()

""")

T_DENSE_GO_KIND = Template("""	go func() {
		build := exec.CommandContext(ctx, "podman", "build", "-t", ${var}, "${dir}")
		if out, err := build.CombinedOutput(); err != nil {
			results <- setupResult{step: "build ${what}", image: ${var}, output: out, err: err}
			return
		}
		load := exec.CommandContext(ctx, "kind", "load", "docker-image", ${var}, "--name", cfg.ClusterName)
		out, err := load.CombinedOutput()
		results <- setupResult{step: "kind load ${what}", image: ${var}, output: out, err: err}
	}()

""")

DENSE_IMAGE_DECL = {
    "generated": """	imageName := GenerateImageName("${comp}")
""",
    "builder": """	imageName, err := BuildAndLoadImageToKind(cfg, w)
	if err != nil {
		return fmt.Errorf("build ${comp}: %w", err)
	}
""",
}

# A goroutine that builds and loads the main image, then drops the name the builder returns.
DENSE_GO_BUILDER_DISCARDED = """	go func() {
		_, err := BuildAndLoadImageToKind(cfg, w)""" + mark("IMG001", "goroutine-define") + """
		results <- setupResult{step: "build and load the main image", image: imageName, err: err}
	}()

"""

T_DENSE_GO_DB = Template("""	go func() {
		db := NewDeployment("${comp}-${db}", namespace, "${dbimage}", 1)
		db.Spec.Template.Spec.Containers[0].Env = []corev1.EnvVar{
			{Name: "${DB}_USER", Value: "${comp}"},
			{Name: "${DB}_PASSWORD", Value: "e2e-${n}"},
			{Name: "${DB}_DB", Value: "${comp}"},
		}
		err := applyObject(ctx, cfg, db)
		results <- setupResult{step: "${db} for ${comp}", image: "${dbimage}", err: err}
	}()

""")

T_DENSE_GO_MANIFEST = Template("""	go func() {
		manifest := fmt.Sprintf(${x}Manifest, ${args})
		err := KubectlApply(ctx, cfg, manifest)
		results <- setupResult{step: "manifest ${name}", image: imageName, err: err}
	}()

""")

T_DENSE_RECEIVE = Template("""	for i := 0; i < ${k}; i++ {
		r := <-results
		if r.err != nil {
			return fmt.Errorf("setup ${comp}: %s: %w: %s", r.step, r.err, r.output)
		}
		fmt.Fprintf(w, "  %s done (%s)\\n", r.step, r.image)
	}

""")

T_DENSE_CONFIG_HEAD = Template("""	settings := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "${comp}-settings", Namespace: namespace},
		Data: map[string]string{
""")

T_DENSE_CONFIG_TAIL = Template("""		},
	}
	if err := applyObject(ctx, cfg, settings); err != nil {
		return fmt.Errorf("settings for ${comp}: %w", err)
	}

""")

T_DENSE_CONTAINER_HEAD = Template("""	container := corev1.Container{
		Name:            "${comp}",
${image}		ImagePullPolicy: corev1.PullNever,
		Args:            opts.args(),
		Ports:           []corev1.ContainerPort{{ContainerPort: opts.Port}},
		Env: []corev1.EnvVar{
			{Name: "LOG_LEVEL", Value: opts.LogLevel},
			{Name: "POD_NAMESPACE", Value: namespace},
""")

DENSE_CONTAINER_IMAGE = {
    None: "\t\tImage:           opts.Image,\n",
    "setup-literal": "\t\tImage:           \"localhost/${comp}:e2e-test\"," + mark("IMG002", "setup-literal") + "\n",
    "img003-fresh": "\t\tImage:           GenerateImageName(\"${comp}\"),"
                    + mark("IMG003", "img003-fresh") + "\n",
}

T_DENSE_CONTAINER_TAIL = Template("""		},
	}
	migrator := corev1.Container{
		Name:            "${comp}-migrator",
		Image:           migratorImage,
		ImagePullPolicy: corev1.PullNever,
		Args:            []string{"migrate", "--target", "${comp}", "--timeout", "${wait}s"},
	}
	dep := NewDeployment("${comp}", namespace, opts.Image, opts.Replicas)
	dep.Spec.Template.Spec.InitContainers = []corev1.Container{migrator}
	dep.Spec.Template.Spec.Containers = []corev1.Container{container}
	if err := applyObject(ctx, cfg, dep); err != nil {
		return fmt.Errorf("deploy ${comp}: %w", err)
	}

""")

T_DENSE_WAIT = Template("""	if err := waitForPods(ctx, cfg, namespace, "app.kubernetes.io/name=${comp}-${step}", ${wait}*time.Second); err != nil {
		return fmt.Errorf("wait for ${comp} ${step}: %w", err)
	}
""")

T_DENSE_TAIL = Template("""	fmt.Fprintf(w, "${comp} ready after %s\\n", time.Since(start).Round(time.Second))
	return nil
}

""")

T_DENSE_TEST_HEAD = Template("""package infrastructure

import (
	"strings"
	"testing"
)

""")

T_DENSE_TEST_ARGS = Template("""func Test${Comp}OptionsArgs${N}(t *testing.T) {
	tests := []struct {
		name string
		opts ${Comp}Options
		want string
	}{
${cases}	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(tt.opts.args(), " ")
			if !strings.Contains(got, tt.want) {
				t.Errorf("args() = %q, want it to contain %q", got, tt.want)
			}
		})
	}
}

""")

T_DENSE_TEST_CASE = Template("""		{
			name: "${level} on port ${port}",
			opts: ${Comp}Options{Image: "example.com/acme/${comp}:v${n}", LogLevel: "${level}", Port: ${port}},
			want: "--log-level ${level} --port=${port}",
		},
""")

T_DENSE_TEST_NAMES = Template("""func Test${Comp}ImageNamesAreFresh${N}(t *testing.T) {
	seen := make(map[string]bool, ${n})
	for i := 0; i < ${n}; i++ {
		name := GenerateImageName("${comp}")
		if !strings.HasPrefix(name, "localhost/${comp}:e2e-") {
			t.Fatalf("GenerateImageName() = %q, want the localhost/${comp} repository", name)
		}
		if seen[name] {
			t.Fatalf("GenerateImageName() returned %q twice", name)
		}
		seen[name] = true
	}
}

""")

DENSE_DATABASES = (("postgres", "POSTGRES", "docker.io/library/postgres:16"),
                   ("redis", "REDIS", "docker.io/library/redis:7.2"),
                   ("mysql", "MYSQL", "docker.io/library/mysql:8.4"))
DENSE_LEVELS = ("debug", "info", "warn", "error")


@dataclass
class SetupPlan:
    """One setup file of the dense infrastructure package."""

    comp: str
    size: int
    builder: bool
    bugs: list[str] = field(default_factory=list)


class DenseInfraWriter:
    """The setup files and unit tests of the dense infrastructure package."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.counter = 0

    def plan(self) -> list[SetupPlan]:
        rng = self.rng
        comps = list(DENSE_COMPONENTS[:DENSE_SETUP_FILES])
        rng.shuffle(comps)
        # A few very large files, a body of medium ones and a tail of small ones.
        raw = ([rng.uniform(60_000, 92_000) for _ in range(6)] + [rng.uniform(34_000, 60_000) for _ in range(12)]
               + [rng.uniform(10_000, 28_000) for _ in range(len(comps) - 18)])
        # The six large files are clean (the largest is the one-file target); the builder files
        # and the planted bugs are in the medium and small ones.
        plans = [SetupPlan(c, int(s), builder=6 <= i < 6 + DENSE_BUILDER_FILES)
                 for i, (c, s) in enumerate(zip(comps, raw))]
        bugs = [kind for kind, n in DENSE_BUG_QUOTA for _ in range(n)]
        for i, bug in enumerate(bugs):
            if bug == "goroutine-define":
                candidates = [p for p in plans if p.builder]
            else:
                candidates = [p for p in plans[6:] if not p.builder]
            candidates[i % len(candidates)].bugs.append(bug)
        return plans

    def uid(self, comp: str) -> str:
        self.counter += 1
        return f"{camel(comp)}{self.counter}"

    def setup_function(self, plan: SetupPlan, lines: int, bugs: list[str]) -> str:
        rng = self.rng
        comp = plan.comp
        x = self.uid(comp)
        db, db_env, db_image = rng.choice(DENSE_DATABASES)
        base: dict[str, object] = {
            "X": x, "x": lower_camel(x), "comp": comp, "Comp": camel(comp), "name": f"{comp}-{self.counter}",
            "n": rng.randint(1, 3), "port": rng.choice((8080, 8443, 9090, 9443)), "level": rng.choice(DENSE_LEVELS),
            "dir": f"images/{comp}", "db": db, "DB": db_env, "dbimage": db_image, "wait": rng.choice((60, 120, 180)),
        }
        yaml_bug = "setup-yaml" if "setup-yaml" in bugs else None
        image_line, args = DENSE_MANIFEST_IMAGE[yaml_bug]
        manifest = T_DENSE_MANIFEST.substitute(base, image=Template(image_line).substitute(base))
        # A clean builder function builds its main image with the builder before the fan-out; the
        # others build it with podman in a goroutine (and a buggy one also drops the builder's name).
        builder_head = plan.builder and "goroutine-define" not in bugs
        image_decl = Template(DENSE_IMAGE_DECL["builder" if builder_head else "generated"]).substitute(base)
        goroutines = [] if builder_head else [
            T_DENSE_GO_PODMAN.substitute(base, var="imageName", what=comp, i=1, decl="")]
        goroutines += [T_DENSE_GO_KIND.substitute(base, var="migratorImage", what=f"{comp}-migrator",
                                                 dir=f"images/{comp}-migrator"),
                      T_DENSE_GO_DB.substitute(base),
                      T_DENSE_GO_MANIFEST.substitute(base, args=args)]
        if "goroutine-define" in bugs:
            goroutines.append(DENSE_GO_BUILDER_DISCARDED)
        for i in range(rng.randint(0, 2)):
            extra = f"{comp}-{rng.choice(('sidecar', 'proxy', 'agent', 'hook'))}"
            decl = f'\t\textraImage := GenerateImageName("{extra}")\n'
            goroutines.append(T_DENSE_GO_PODMAN.substitute(base, var="extraImage", what=extra, decl=decl,
                                                           dir=f"images/{extra}", i=i + 2))
        rng.shuffle(goroutines)
        image_bug = next((b for b in bugs if b in ("setup-literal", "img003-fresh")), None)
        head = T_DENSE_HEAD.substitute(base, k=len(goroutines), image_decl=image_decl)
        body = [head, *goroutines, T_DENSE_RECEIVE.substitute(base, k=len(goroutines))]
        container_head = T_DENSE_CONTAINER_HEAD.substitute(
            base, image=Template(DENSE_CONTAINER_IMAGE[image_bug]).substitute(base))
        tail = [T_DENSE_CONTAINER_TAIL.substitute(base)]
        waits = "".join(T_DENSE_WAIT.substitute(base, step=s) for s in ("migrator", "server", "ready"))
        fixed = sum(p.count("\n") for p in body) + container_head.count("\n") + tail[0].count("\n") \
            + waits.count("\n") + 8 + T_DENSE_CONFIG_HEAD.template.count("\n") + T_DENSE_CONFIG_TAIL.template.count("\n")
        spare = max(4, lines - fixed)
        env_count = max(2, spare // 3)
        data_count = max(2, spare - env_count)
        env = "".join(f'\t\t\t{{Name: "{comp.upper()}_{w.upper()}_{i}", Value: "{rng.choice(NOUNS)}-{rng.randint(1, 99)}"}},\n'
                      for i, w in enumerate(rng.choice(NOUNS) for _ in range(env_count)))
        data = "".join(f'\t\t\t"setting.{i:04d}": "{rng.choice(NOUNS)}={rng.randint(0, 9999)}",\n'
                       for i in range(data_count))
        config = T_DENSE_CONFIG_HEAD.substitute(base) + data + T_DENSE_CONFIG_TAIL.substitute(base)
        return manifest + "".join(body) + config + container_head + env + "".join(tail) + waits \
            + T_DENSE_TAIL.substitute(base)

    def setup_file(self, plan: SetupPlan) -> str:
        parts = ["package infrastructure\n\n", DENSE_SETUP_IMPORTS,
                 T_DENSE_OPTIONS.substitute(comp=plan.comp, Comp=camel(plan.comp))]
        bugs = list(plan.bugs)
        total = sum(len(p) for p in parts)
        while total < plan.size or bugs:
            # Each setup function is 200-400 lines; a file holds one or more of them.
            lines = self.rng.randint(210, 400)
            lines = min(lines, max(210, (plan.size - total) // 40))
            fn = self.setup_function(plan, lines, bugs[:1])
            bugs = bugs[1:]
            parts.append(fn)
            total += len(fn)
        return "".join(parts)

    def test_file(self, plan: SetupPlan) -> str:
        rng = self.rng
        comp, Comp = plan.comp, camel(plan.comp)
        parts = [T_DENSE_TEST_HEAD.substitute()]
        for n in range(1, rng.randint(2, 5)):
            cases = "".join(T_DENSE_TEST_CASE.substitute(comp=comp, Comp=Comp, level=rng.choice(DENSE_LEVELS),
                                                         port=rng.choice((8080, 8443, 9090)), n=rng.randint(1, 9))
                            for _ in range(rng.randint(8, 40)))
            parts.append(T_DENSE_TEST_ARGS.substitute(Comp=Comp, N=n, cases=cases))
            parts.append(T_DENSE_TEST_NAMES.substitute(comp=comp, Comp=Comp, N=n, n=rng.randint(8, 64)))
        return "".join(parts)

    def files(self) -> dict[str, str]:
        out = {"names.go": DENSE_NAMES}
        plans = self.plan()
        for plan in plans:
            out[f"setup_{plan.comp}.go"] = self.setup_file(plan)
        for plan in sorted(plans, key=lambda p: p.size, reverse=True)[:DENSE_TEST_FILES]:
            out[f"setup_{plan.comp}_test.go"] = self.test_file(plan)
        return out


class DenseE2EWriter(E2EWriter):
    """The E2E tree of the dense profile: the large infrastructure package and two suites."""

    def infrastructure_files(self) -> dict[str, str]:
        files = super().infrastructure_files()
        files.update(DenseInfraWriter(self.rng).files())
        return files

    def build(self, file_budget: int) -> tuple[dict[str, str], str]:
        # The suites come after the infrastructure package in the budget.
        infra_files = BASE_INFRA_FILES + 1 + DENSE_SETUP_FILES + DENSE_TEST_FILES
        out, _ = super().build(infra_files + file_budget)
        infra = [p for p in out if p.startswith("test/e2e/infrastructure/") and not p.endswith("_test.go")]
        # The one-file target is the largest file of the package, as pre-commit would pass it.
        return out, max(infra, key=lambda p: len(out[p]))


# --------------------------------------------------------------------------
# Shard layout
# --------------------------------------------------------------------------

ORDINARY_KINDS: tuple[tuple[str, str, int], ...] = (
    # (file name stem, kind, weight)
    ("types", "types", 10), ("service", "service", 10), ("handler", "handler", 7),
    ("store", "store", 6), ("util", "util", 5), ("options", "options", 3),
    ("pods", "pods", 3), ("errors", "errors", 3), ("metrics", "metrics", 3),
)


@dataclass
class Planted:
    path: str
    line: int
    rule: str
    kind: str


@dataclass
class ShardResult:
    files: dict[str, str]
    planted: list[Planted]
    one_file: str
    e2e_files: int
    generated_files: int
    large_files: list[str]


def strip_marks(path: str, text: str) -> tuple[str, list[Planted]]:
    """Remove bug markers from text and return their (1-based) line numbers."""
    if "\x01" not in text:
        return text, []
    planted: list[Planted] = []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        m = MARK_RE.search(line)
        if m:
            planted.append(Planted(path, i + 1, m.group(1), m.group(2)))
            lines[i] = MARK_RE.sub("", line)
    return "\n".join(lines), planted


def lognormal_sizes(rng: random.Random, count: int, budget: int) -> list[int]:
    raw = [min(max(rng.lognormvariate(math.log(5200), 0.95), 250.0), 140_000.0) for _ in range(count)]
    factor = budget / sum(raw)
    return [max(200, int(r * factor)) for r in raw]


def package_sizes(rng: random.Random, files: int) -> list[int]:
    sizes: list[int] = []
    left = files
    while left > 0:
        n = min(left, max(1, int(rng.paretovariate(1.3) * 3)), 40)
        sizes.append(n)
        left -= n
    return sizes


def ordinary_file_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """(file name, kind) pairs, unique within one package."""
    stems = [s for s, _, _ in ORDINARY_KINDS]
    kinds = {s: k for s, k, _ in ORDINARY_KINDS}
    weights = [w for _, _, w in ORDINARY_KINDS]
    out: list[tuple[str, str]] = []
    used: set[str] = set()
    while len(out) < count:
        if out and rng.random() < 0.3:
            noun = rng.choice(NOUNS)
            name, kind = f"{noun}_test.go", "test"
        else:
            stem = rng.choices(stems, weights)[0]
            noun = rng.choice(NOUNS)
            name = f"{stem}.go" if stem not in used and rng.random() < 0.5 else f"{noun}_{stem}.go"
            kind = kinds[stem]
        if name in used:
            continue
        used.add(name)
        out.append((name, kind))
    return out


class ShardBuilder:
    """All files of one shard, relative to the shard root."""

    def __init__(self, seed: int, index: int, profile: str = "default") -> None:
        # The default profile keeps its original seed string, so its output never changes.
        suffix = "" if profile == "default" else f":{profile}"
        self.rng = random.Random(f"imagetag-bench:{seed}:{index}{suffix}")
        self.index = index
        self.profile = profile
        self.module = "github.com/acme/platform" if index == 0 else f"github.com/acme/mod{index}"
        self.files: dict[str, str] = {}
        self.planted: list[Planted] = []

    def add(self, path: str, text: str) -> None:
        clean, planted = strip_marks(path, text.rstrip("\n") + "\n")
        self.files[path] = clean
        self.planted.extend(planted)

    def go_bytes(self) -> int:
        return sum(len(t) for p, t in self.files.items() if p.endswith(".go"))

    def go_count(self) -> int:
        return sum(1 for p in self.files if p.endswith(".go"))

    def build(self) -> ShardResult:
        self.files["go.mod"] = f"module {self.module}\n\ngo 1.22\n"
        if self.index == 0:
            # Without this file semgrep applies its default ignore list, which
            # skips test/ and *_test.go, i.e. every E2E file.
            self.files[".semgrepignore"] = SEMGREPIGNORE
        if self.profile == "dense":
            go_files, go_bytes = DENSE_GO_FILES, DENSE_GO_BYTES
            e2e_files, one_file = DenseE2EWriter(self.rng, self.module).build(DENSE_SUITE_FILE_BUDGET)
        else:
            go_files, go_bytes = SHARD_GO_FILES, SHARD_GO_BYTES
            e2e_budget = round(SHARD_GO_FILES * E2E_FRACTION)
            e2e_files, one_file = E2EWriter(self.rng, self.module).build(e2e_budget)
        for path, text in e2e_files.items():
            self.add(path, text)
        generated = self.add_generated()
        large = self.add_large()
        self.add_ordinary(go_files - self.go_count(), go_bytes - self.go_bytes())
        return ShardResult(self.files, self.planted, one_file, len(e2e_files), generated, large)

    def add_generated(self) -> int:
        gen = GeneratedWriter(self.rng)
        groups = self.rng.sample(AREAS, 24)
        count = 0
        for group in groups:
            types = gen.type_names(self.rng.randint(4, 30))
            self.add(f"api/{group}/v1/zz_generated.deepcopy.go", gen.deepcopy("v1", types))
            self.add(f"pkg/generated/clientset/typed/{group}/v1/{group}_client.go",
                     gen.client(group, self.module, types))
            count += 2
        for area in self.rng.sample(AREAS, 12):
            self.add(f"internal/{area}/mocks/mock_store.go", gen.mock("mocks", self.rng.randint(5, 40)))
            self.add(f"pkg/{area}/phase_string.go", gen.stringer(area))
            count += 2
        return count

    def add_large(self) -> list[str]:
        gen = GeneratedWriter(self.rng)
        ordinary = OrdinaryWriter(self.rng)

        def size() -> int:
            return self.rng.randint(1_050_000, 2_000_000)

        files = {
            "pkg/generated/openapi/zz_generated.openapi.go": gen.openapi(size()),
            "third_party/bindata/assets.go": gen.bindata(size()),
            "pkg/proto/platformpb/platform.pb.go": gen.protobuf(size()),
            "api/core/v1/zz_generated.deepcopy.go": gen.large_deepcopy(size()),
            "pkg/legacy/monolith/reconciler.go": ordinary.render("monolith", "service", "legacy", "monolith", size()),
        }
        for path, text in files.items():
            self.add(path, text)
        return list(files)

    def add_ordinary(self, count: int, budget: int) -> None:
        writer = OrdinaryWriter(self.rng)
        sizes = lognormal_sizes(self.rng, count, budget)
        pos = 0
        used_dirs: set[str] = set()
        for n in package_sizes(self.rng, count):
            directory, pkg, area, sub = self.package_dir(used_dirs)
            for name, kind in ordinary_file_names(self.rng, n):
                size = sizes[pos]
                pos += 1
                self.add(f"{directory}/{name}", writer.render(pkg, kind, area, sub, size))

    def package_dir(self, used: set[str]) -> tuple[str, str, str, str]:
        while True:
            root = self.rng.choices(("pkg", "internal", "cmd", "services"), (6, 4, 1, 2))[0]
            area = self.rng.choice(AREAS)
            sub = self.rng.choice(SUBS)
            if root == "cmd":
                directory, pkg = f"cmd/{area}-{sub}", "main"
            elif root == "services":
                extra = self.rng.choice(SUBS)
                directory, pkg = f"services/{area}/{sub}/{extra}", extra
            else:
                directory, pkg = f"{root}/{area}/{sub}", sub
            if directory not in used:
                used.add(directory)
                return directory, pkg, area, sub


# --------------------------------------------------------------------------
# Writing and the manifest
# --------------------------------------------------------------------------


def shard_prefix(index: int) -> str:
    return "" if index == 0 else f"staging/src/github.com/acme/mod{index}/"


def prepare_out_dir(out: Path) -> None:
    if out.exists():
        if any(out.iterdir()):
            if not (out / MANIFEST_NAME).is_file():
                raise SystemExit(f"error: {out} is not empty and was not made by this generator")
            shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)


def write_files(out: Path, prefix: str, files: dict[str, str]) -> None:
    made: set[Path] = set()
    for rel, text in files.items():
        path = out / (prefix + rel)
        parent = path.parent
        if parent not in made:
            parent.mkdir(parents=True, exist_ok=True)
            made.add(parent)
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)


def generate(out: Path, scale: int, seed: int, profile: str = "default") -> dict[str, Any]:
    """Write the tree of a profile (see PROFILES) and return the manifest."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r} (known: {', '.join(PROFILES)})")
    prepare_out_dir(out)
    planted: list[dict[str, Any]] = []
    totals = {"files": 0, "go_files": 0, "go_bytes": 0, "e2e_files": 0, "generated_files": 0}
    large: list[str] = []
    one_file = ""
    for index in range(scale):
        shard = ShardBuilder(seed, index, profile).build()
        prefix = shard_prefix(index)
        write_files(out, prefix, shard.files)
        totals["files"] += len(shard.files)
        totals["go_files"] += sum(1 for p in shard.files if p.endswith(".go"))
        totals["go_bytes"] += sum(len(t) for p, t in shard.files.items() if p.endswith(".go"))
        totals["e2e_files"] += shard.e2e_files
        totals["generated_files"] += shard.generated_files + len(shard.large_files)
        large += [prefix + p for p in shard.large_files]
        planted += [{"path": prefix + p.path, "line": p.line, "rule": p.rule, "kind": p.kind}
                    for p in shard.planted]
        if index == 0:
            one_file = shard.one_file
    manifest: dict[str, Any] = {
        "generator_version": GENERATOR_VERSION, "seed": seed, "scale": scale, **totals,
        "large_files": large, "one_file": one_file, "planted": planted,
    }
    if profile != "default":
        # Only the other profiles carry these keys: the default manifest stays as it was.
        manifest = {"profile": profile, **manifest, **density(out)}
    (out / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def density(out: Path) -> dict[str, Any]:
    """How much of the tree is E2E infrastructure, and how many files a linter must look at closely."""
    image_keys = builders = infra_files = infra_bytes = largest = 0
    for path in out.rglob("*.go"):
        text = path.read_text(encoding="utf-8")
        image_keys += "Image:" in text
        builders += any(not line.lstrip().startswith(("func ", "//")) and BUILDER_CALL_RE.search(line)
                        for line in text.splitlines())
        if path.parent.name == "infrastructure" and path.parent.parent.name == "e2e":
            infra_files += 1
            infra_bytes += len(text)
            largest = max(largest, len(text))
    return {"image_key_files": image_keys, "builder_files": builders, "infra_files": infra_files,
            "infra_bytes": infra_bytes, "infra_largest_bytes": largest}


def summarize(manifest: dict[str, Any], out: Path, seconds: float) -> str:
    planted = manifest["planted"]
    by_rule: dict[str, int] = {}
    by_kind: dict[str, int] = {}
    for p in planted:
        by_rule[p["rule"]] = by_rule.get(p["rule"], 0) + 1
        key = f"{p['rule']}/{p['kind']}"
        by_kind[key] = by_kind.get(key, 0) + 1
    go_files = int(manifest["go_files"])
    go_bytes = int(manifest["go_bytes"])
    e2e = int(manifest["e2e_files"])
    lines = [
        f"tree:            {out}",
        f"seed/scale:      {manifest['seed']} / {manifest['scale']}",
        f"files:           {manifest['files']} ({go_files} Go)",
        f"Go bytes:        {go_bytes:,} ({go_bytes / 1e6:.1f} MB, {go_bytes / 2**20:.1f} MiB)",
        f"E2E files:       {e2e} ({100 * e2e / go_files:.1f} % of Go files)",
        f"generated files: {manifest['generated_files']} (large: {len(manifest['large_files'])})",
        f"planted bugs:    {len(planted)} (" + ", ".join(f"{k} {v}" for k, v in sorted(by_rule.items())) + ")",
        "  " + ", ".join(f"{k} {v}" for k, v in sorted(by_kind.items())),
        f"one-file target: {manifest['one_file']}",
        f"generated in {seconds:.1f} s",
    ]
    if "profile" in manifest:
        lines[1:1] = [f"profile:         {manifest['profile']}"]
        lines[-1:-1] = [
            (f"infrastructure:  {manifest['infra_files']} files, {manifest['infra_bytes']:,} bytes "
             f"(largest {manifest['infra_largest_bytes']:,})"),
            (f"Image: keys in:  {manifest['image_key_files']} files; builder or loader called in "
             f"{manifest['builder_files']} files"),
        ]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path, help="output directory (created; a previous tree is replaced)")
    ap.add_argument("--scale", type=int, default=1, help="tree size multiplier (default 1)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    ap.add_argument("--profile", choices=PROFILES, default="default",
                    help="tree shape: default (2 %% of the files in small E2E suites) or dense (a 1.7 MB "
                         "E2E infrastructure package of 60 files)")
    ap.add_argument("--quiet", action="store_true", help="do not print the summary")
    args = ap.parse_args(argv)
    if args.scale < 1:
        ap.error("--scale must be >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    start = time.perf_counter()
    manifest = generate(args.out_dir, args.scale, args.seed, args.profile)
    if not args.quiet:
        print(summarize(manifest, args.out_dir, time.perf_counter() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
