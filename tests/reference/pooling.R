# Golden values for evidencekit.stats.pooling: metafor rma() DL and REML.
source("_common.R")
out <- list()
fit_row <- function(fit, fe) list(
  estimate = as.numeric(fit$b), se = fit$se, ci = c(fit$ci.lb, fit$ci.ub), z = fit$zval,
  p_value = fit$pval, tau2 = fit$tau2, i2 = fit$I2, qe = fit$QE, qe_p = fit$QEp, k = fit$k,
  fixed = as.numeric(fe$b), se_fixed = fe$se, ci_fixed = c(fe$ci.lb, fe$ci.ub))

datasets <- list(
  bcg_log_rr = escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg),
  normand1999_smd = escalc(measure = "SMD", m1i = m1i, sd1i = sd1i, n1i = n1i,
                           m2i = m2i, sd2i = sd2i, n2i = n2i, data = dat.normand1999))
for (name in names(datasets)) {
  es <- datasets[[name]]
  fe <- rma(yi, vi, data = es, method = "FE")
  dl <- rma(yi, vi, data = es, method = "DL"); print(dl)
  reml <- rma(yi, vi, data = es, method = "REML"); print(reml)
  reml_tight <- rma(yi, vi, data = es, method = "REML",
                    control = list(threshold = 1e-12, maxiter = 1000))
  cat(name, "REML tau2 (default threshold 1e-5):", reml$tau2,
      " (threshold 1e-12):", reml_tight$tau2, "\n")
  out[[name]] <- list(
    source = paste0("rma(yi, vi, method='DL'|'REML'|'FE') on ", name,
                    "; REML_tight uses control=list(threshold=1e-12)"),
    yi = as.numeric(es$yi), sei = sqrt(as.numeric(es$vi)),
    DL = fit_row(dl, fe), REML = fit_row(reml, fe), REML_tight = fit_row(reml_tight, fe))
}
## A case where metafor's Fisher scoring oscillates: the default rma() call stops with
## "Fisher scoring algorithm did not converge"; with maxiter = 10000 it converges.
yi <- c(0, 0, 0, 0, 0, 0, 2); sei <- c(1, 1, 1, 1, 1.5, 1.5, 0.5)
print(try(rma(yi, sei = sei, method = "REML"), silent = TRUE))
slow <- rma(yi, sei = sei, method = "REML", control = list(maxiter = 10000, threshold = 1e-12))
print(slow)
out$oscillating <- list(
  source = "rma(yi, sei=sei, method='REML', control=list(maxiter=10000, threshold=1e-12)); default control fails to converge",
  yi = yi, sei = sei, tau2 = slow$tau2, estimate = as.numeric(slow$b), se = slow$se, i2 = slow$I2)
write_golden(out, "pooling")
