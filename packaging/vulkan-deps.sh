#!/usr/bin/env bash
# What `make test-vulkan` needs from Debian: the Vulkan loader and headers, the shader compiler
# and SPIR-V headers to build llama.cpp's Vulkan backend, and Mesa's software driver (lavapipe)
# to run it without a GPU. No-op off Debian.
exec bash "$(dirname "$0")/apt-deps.sh" libvulkan-dev glslc spirv-headers mesa-vulkan-drivers
