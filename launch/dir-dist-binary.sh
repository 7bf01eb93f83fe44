# dir-dist-binary.sh - sourced by the launch scripts: the dir-dist binary they start.
# $DIR_DIST, else `dir-dist` on PATH, else this checkout's release build.
dir_dist_binary() {
    if [[ -n ${DIR_DIST:-} ]]; then
        echo "$DIR_DIST"
    elif command -v dir-dist >/dev/null 2>&1; then
        command -v dir-dist
    else
        echo "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.build/release/dir-dist"
    fi
}
