"""The image-flow engine: producers, values, sinks and locality over one per-run cache.

- `run`: the per-run cache (`FlowRun`), per-file facts and the fixpoint over names;
- `producers`: calls that return an image name (configured builders, inferred wrappers);
- `values`: what an expression may hold (`origin`), reaching definitions, constant folding;
- `containers`: which `Image` fields deploy, by the type of their struct;
- `sinks`: image fields, loader and deploy-function arguments, inferred deploy functions;
- `manifests`: `image:` lines of manifests held in Go strings; `formats`: Go format strings;
- `locality`: what is built or loaded here, and which images are local;
- `model`: the records they answer with (`Origin`, `ProducerRef`, `Sink`) and their kinds.

`analysis.image_flow.ImageFlowIndex` is the face the rules use.
"""
