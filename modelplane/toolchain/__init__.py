"""The tools the real-server tests and `make up` against a loopback cluster use, built from Go modules:
the Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager) and kubectl at the version
the stacks target. `recipes` says what is built, `build` builds and caches it."""
