#!/usr/bin/env bash
# What `make test-vulkan` needs from Debian: the Vulkan loader and headers, the shader compiler
# and SPIR-V headers to build llama.cpp's Vulkan backend, and Mesa's software driver (lavapipe)
# to run it without a GPU. No-op off Debian.
set -euo pipefail
command -v dpkg-query >/dev/null 2>&1 || exit 0
pkgs=(libvulkan-dev glslc spirv-headers mesa-vulkan-drivers)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing Debian packages for the Vulkan build: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
