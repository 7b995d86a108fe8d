#!/usr/bin/env bash
# Builds the two images the local cluster uses, without any registry, as
# docker-archive tars that `ctr images import` reads:
#   busybox.tar  localhost/nsdebug/busybox:e2e  (busybox-static, one link per applet)
#   pause.tar    localhost/nsdebug/pause:e2e    (pause.c, the sandbox image)
#   toolbox.tar  TOOLBOX_NAME (optional 4th argument): the busybox image plus
#                util-linux setpriv and nsenter with the libraries they load,
#                copied from this Debian host: what --tools target needs
# Layers are deterministic (sorted, mtime 0, uid/gid 0), so rebuilding gives the
# same image ids.
# usage: build.sh OUT_DIR BUSYBOX_NAME PAUSE_NAME [TOOLBOX_NAME]
set -euo pipefail

out=$1 busybox_name=$2 pause_name=$3 toolbox_name=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

busybox=$(command -v busybox) || { echo "images: busybox is not installed; apt-get install busybox-static" >&2; exit 1; }
# ldd fails on a static binary: the image has no libc to offer a dynamic one.
if ldd "$busybox" >/dev/null 2>&1; then
  echo "images: $busybox is not static; apt-get install busybox-static" >&2
  exit 1
fi

# make_image NAME ROOTFS OUT.tar CMD_JSON
make_image() {
  local name=$1 rootfs=$2 tarfile=$3 cmd=$4 dir layer_sha
  dir=$work/$(basename "$tarfile" .tar)
  mkdir -p "$dir"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$rootfs" -cf "$dir/layer.tar" .
  layer_sha=$(sha256sum "$dir/layer.tar" | cut -d' ' -f1)
  mkdir -p "$dir/$layer_sha"
  mv "$dir/layer.tar" "$dir/$layer_sha/layer.tar"
  # JSON through node's serializer, values passed as argv.
  # shellcheck disable=SC2016 # JavaScript template literals, not shell
  node -e '
    const [dir, name, layerSha, cmd, arch] = process.argv.slice(1);
    const fs = require("node:fs");
    const crypto = require("node:crypto");
    const config = JSON.stringify({
      architecture: arch, os: "linux", created: "1970-01-01T00:00:00Z",
      config: { Cmd: JSON.parse(cmd), Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], WorkingDir: "/" },
      rootfs: { type: "layers", diff_ids: ["sha256:" + layerSha] },
    });
    const configSha = crypto.createHash("sha256").update(config).digest("hex");
    fs.writeFileSync(`${dir}/${configSha}.json`, config);
    fs.writeFileSync(`${dir}/manifest.json`, JSON.stringify([
      { Config: `${configSha}.json`, RepoTags: [name], Layers: [`${layerSha}/layer.tar`] },
    ]));
  ' "$dir" "$name" "$layer_sha" "$cmd" "$arch"
  local entries
  mapfile -t entries < <(ls "$dir")
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$dir" -cf "$tarfile.tmp" "${entries[@]}"
  mv "$tarfile.tmp" "$tarfile"
}

mkdir -p "$out"
arch=$(dpkg --print-architecture)

# busybox: the binary plus a link for each applet in its canonical directory.
root=$work/busybox-root
mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/root" "$root/proc" "$root/sys" "$root/dev" "$root/var/www"
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
while IFS= read -r applet; do
  [[ $applet == bin/busybox ]] && continue
  mkdir -p "$root/$(dirname "$applet")"
  ln -sf /bin/busybox "$root/$applet"
done < <("$busybox" --list-full)
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\n' >"$root/etc/group"
for applet in sh nsenter unshare ip ps mount free nproc od httpd chroot setsid; do
  [[ -e $root/bin/$applet || -e $root/sbin/$applet || -e $root/usr/bin/$applet || -e $root/usr/sbin/$applet ]] \
    || { echo "images: busybox lacks the $applet applet" >&2; exit 1; }
done
make_image "$busybox_name" "$root" "$out/busybox.tar" '["sh"]'

# toolbox: the same, with util-linux's setpriv and nsenter in /usr/bin (ahead of
# busybox's applets on PATH) and every library they load at its own path.
if [[ -n $toolbox_name ]]; then
  for tool in /usr/bin/setpriv /usr/bin/nsenter; do
    [[ -x $tool ]] || { echo "images: $tool is missing; apt-get install util-linux" >&2; exit 1; }
    rm -f "$root$tool"
    cp "$tool" "$root$tool"
    # ldd lines: `name => /path (addr)` or `/path (addr)` for the loader.
    while read -r lib; do
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done < <(ldd "$tool" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
  done
  make_image "$toolbox_name" "$root" "$out/toolbox.tar" '["sh"]'
fi

# pause: one static binary.
root=$work/pause-root
mkdir -p "$root"
gcc -Os -static -s -o "$root/pause" "$here/pause.c"
make_image "$pause_name" "$root" "$out/pause.tar" '["/pause"]'
