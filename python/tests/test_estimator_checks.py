"""scikit-learn's own estimator checks, with small settings."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from conftest import SMALL
from dirdist import DIRRegressor

# Checks that cannot pass, with the reason (also listed in python/README.md). None do
# with these settings.
EXPECTED_FAILED_CHECKS: dict[str, str] = {}


@parametrize_with_checks(
    [DIRRegressor(**SMALL)], expected_failed_checks=lambda estimator: EXPECTED_FAILED_CHECKS
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
