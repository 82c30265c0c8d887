module example.com/shop

go 1.22

require k8s.io/api v0.0.0

// A trimmed stand-in for the Kubernetes API types, so the suite builds without a download.
replace k8s.io/api => ./third_party/k8s.io/api
