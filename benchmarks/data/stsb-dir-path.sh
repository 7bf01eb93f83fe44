# stsb-dir-path.sh - sourced by the STS-B-DIR benchmarks: require_stsb_dir DIR stops the
# script with one error line when DIR lacks the features that
# benchmarks/data/make-stsb-dir.sh writes ({train,dev,test}_{X,y}.npy). The scripts take
# the folder from $STSB_DIR, else <repo>/.build/data/stsb-dir (make-stsb-dir.sh's default).
require_stsb_dir() {
    local dir=$1 file
    for file in train_X train_y dev_X dev_y test_X test_y; do
        if [[ ! -f $dir/$file.npy ]]; then
            echo "error: no STS-B-DIR features in $dir ($file.npy missing): build them with" \
                "benchmarks/data/make-stsb-dir.sh (default folder .build/data/stsb-dir) or set STSB_DIR" >&2
            exit 2
        fi
    done
}
