# Golden values for evidencekit.stats.pooling beyond pooling.R: the Knapp-Hartung (HKSJ)
# adjustment (rma(test = "knha")) and its ad hoc modification (test = "adhoc"), the
# prediction interval (predict.rma) and the Q-profile interval for tau^2 and I^2
# (confint.rma), for DL and REML, on the full data sets and on the few-study subsets
# (k = 2, 3, 5) a programme typically has.
source("_common.R")
out <- list()
bcg <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
normand <- escalc(measure = "SMD", m1i = m1i, sd1i = sd1i, n1i = n1i,
                  m2i = m2i, sd2i = sd2i, n2i = n2i, data = dat.normand1999)
sets <- list(
  bcg = bcg, normand = normand,
  bcg_k2 = bcg[c(1, 4), ], bcg_k3 = bcg[1:3, ], bcg_k5 = bcg[c(2, 5, 7, 9, 12), ],
  normand_k2 = normand[c(2, 6), ], normand_k3 = normand[c(1, 3, 8), ],
  # Homogeneous estimates (q < 1): knha gives a narrower interval than z, adhoc does not.
  homogeneous_k3 = data.frame(yi = c(0.30, 0.31, 0.29), vi = c(0.01, 0.02, 0.015)))
for (name in names(sets)) {
  es <- sets[[name]]
  rows <- list()
  for (method in c("DL", "REML")) for (test in c("z", "knha", "adhoc")) {
    fit <- rma(yi, vi, data = es, method = method, test = test,
               control = list(threshold = 1e-12, maxiter = 10000))
    pr <- predict(fit)
    ci <- confint(fit, control = list(tol = 1e-12))$random
    if (name == "bcg_k3" && method == "DL") { print(fit); print(pr); print(ci) }
    rows[[paste(method, test, sep = "_")]] <- list(
      method = method, test = test, estimate = as.numeric(fit$b), se = fit$se,
      ci = c(fit$ci.lb, fit$ci.ub), statistic = fit$zval, p_value = fit$pval,
      df = if (test == "z") NULL else fit$ddf, tau2 = fit$tau2, i2 = fit$I2,
      pi = c(pr$pi.lb, pr$pi.ub), tau2_ci = as.numeric(ci["tau^2", c("ci.lb", "ci.ub")]),
      i2_ci = as.numeric(ci["I^2(%)", c("ci.lb", "ci.ub")]))
  }
  out[[name]] <- list(
    source = paste0("rma(yi, vi, method=, test='z'|'knha'|'adhoc', control=list(threshold=1e-12)); ",
                    "predict(); confint(control=list(tol=1e-12)) on ", name),
    yi = as.numeric(es$yi), sei = sqrt(as.numeric(es$vi)), fits = rows)
}
write_golden(out, "pooling_extra")
