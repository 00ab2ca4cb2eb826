#!/usr/bin/env bash
# Builds kube-apiserver and kube-controller-manager 1.20.2 from Debian bookworm's `kubernetes`
# source package and caches them outside the repo. A warm cache is reused without any work.
#
#   MODELPLANE_K8S_CACHE  cache directory (default ~/.cache/modelplane/k8s-1.20.2)
set -euo pipefail

cache="${MODELPLANE_K8S_CACHE:-$HOME/.cache/modelplane/k8s-1.20.2}"
bins=(kube-apiserver kube-controller-manager)

have_all() { for b in "${bins[@]}"; do [ -x "$cache/bin/$b" ] || return 1; done; command -v etcd >/dev/null; }
if have_all; then echo "control plane: cached binaries in $cache/bin"; exit 0; fi

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# deb-src for bookworm main, using the same mirror the machine's own deb entry uses.
src_list=/etc/apt/sources.list.d/modelplane-deb-src.sources
if [ ! -f "$src_list" ]; then
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=$(awk '$1=="deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$mirror" ] || { echo "control plane: no Debian mirror configured in apt sources" >&2; exit 1; }
  printf 'Types: deb-src\nURIs: %s\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$mirror" | sudo_ tee "$src_list" >/dev/null
fi
sudo_ apt-get update -qq
sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
  golang-1.19-go golang-github-modern-go-reflect2-dev rsync etcd-server dpkg-dev >/dev/null
# etcd-server's package starts a system etcd on :2379; the tests run their own on free ports.
sudo_ systemctl disable --now etcd >/dev/null 2>&1 || pkill -x etcd 2>/dev/null || true

work=$(mktemp -d "${TMPDIR:-/tmp}/modelplane-k8s-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"  # apt's _apt user downloads into it
cd "$work"
apt-get source --download-only -qq kubernetes 2>&1 | grep -v 'unsandboxed' || true
dpkg-source -x --no-check ./kubernetes_*.dsc src >/dev/null
cd src

# reflect2 1.0.1 (vendored) faults under Go >= 1.18; Debian ships 1.0.2.
reflect2_src=$(dirname "$(dpkg -L golang-github-modern-go-reflect2-dev | awk '/\/reflect2\.go$/ {print; exit}')")
rm -rf vendor/github.com/modern-go/reflect2
mkdir -p vendor/github.com/modern-go/reflect2
find "$reflect2_src" -maxdepth 1 \( -name '*.go' -o -name '*.s' \) ! -name '*_test.go' \
  -exec cp {} vendor/github.com/modern-go/reflect2/ \;

go_bin=$(dirname "$(dpkg -L golang-1.19-go | awk '/\/bin\/go$/ {print; exit}')")
mkdir -p .go/src/k8s.io
ln -sfn ../../.. .go/src/k8s.io/kubernetes
cd .go/src/k8s.io/kubernetes
export GOPATH="$work/src/.go" PATH="$go_bin:$PATH" CGO_ENABLED=0 GOFLAGS=
make WHAT="cmd/kube-apiserver cmd/kube-controller-manager" > "$work/make.log" 2>&1 || { tail -40 "$work/make.log" >&2; exit 1; }

mkdir -p "$cache/bin"
for b in "${bins[@]}"; do install -m 0755 "_output/local/bin/linux/$(go env GOARCH)/$b" "$cache/bin/$b"; done
echo "control plane: built ${bins[*]} into $cache/bin"
