# SPDX-License-Identifier: MIT
# ess-gateway.service joins the systemd suite (issue 14: units added later
# join it): after essd's own tests, before the uninstall.
essd_add_systemd_test(NAME gateway SCRIPT test_gateway.sh AFTER realtime)
