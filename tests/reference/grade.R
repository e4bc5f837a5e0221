# Golden values for evidencekit.stats.certainty (GRADE's optimal information size, effective
# sample size, random-effects weights) and the pooled inputs of the GRADE truth tables.
source("_common.R")
out <- list()

# Optimal information size (GRADE guidelines 6): the total of a two-arm trial powered to
# detect delta: 2 * pwr.t.test(d = delta, ...)$n. pwr solves with uniroot's default tol;
# "exact" re-solves pwr's own power expression (two-sided, two.sample) to tol 1e-13.
pwr_power <- function(d, n, sig.level) {
  nu <- (n - 1) * 2
  qu <- qt(sig.level / 2, nu, lower = FALSE)
  pt(qu, nu, ncp = sqrt(n / 2) * d, lower = FALSE) + pt(-qu, nu, ncp = sqrt(n / 2) * d, lower = TRUE)
}
grid <- expand.grid(delta = c(0.1, 0.2, 0.3, 0.5), alpha = c(0.05, 0.01), power = c(0.8, 0.9))
grid$ois_pwr <- mapply(function(d, a, p) 2 * pwr.t.test(d = d, sig.level = a, power = p)$n,
                       grid$delta, grid$alpha, grid$power)
grid$ois_exact <- mapply(function(d, a, p) 2 * uniroot(function(n) pwr_power(d, n, a) - p,
                         c(2 + 1e-10, 1e9), tol = 1e-13)$root, grid$delta, grid$alpha, grid$power)
print(grid)
out$ois <- list(source = "2 * pwr.t.test(d=, sig.level=, power=, type='two.sample')$n; ois_exact: uniroot(tol=1e-13) on pwr's power expression", rows = grid)

# Effective sample size: n / (1 + (n / clusters - 1) * icc) (design effect).
grid <- data.frame(n = c(600, 1143, 200, 50), clusters = c(30, 40, 10, 5), icc = c(0.05, 0.2, 0, 1))
grid$n_eff <- grid$n / (1 + (grid$n / grid$clusters - 1) * grid$icc)
print(grid)
out$effective_n <- list(source = "n / (1 + (n/clusters - 1) * icc)", rows = grid)

# Random-effects weights (share of the pooled estimate): metafor weights(rma(...)) / 100.
dat <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
fit <- rma(yi, vi, data = dat, method = "DL")
out$weights <- list(source = "weights(rma(yi, vi, data = escalc('RR', dat.bcg), method = 'DL')) / 100",
                    se = sqrt(dat$vi), tau2 = fit$tau2, share = as.numeric(weights(fit)) / 100)
print(out$weights)
fit3 <- rma(yi = c(0.41, 0.30, 0.05), sei = c(0.12, 0.15, 0.10), method = "DL", test = "adhoc")
out$weights3 <- list(source = "rma(yi = c(0.41, 0.30, 0.05), sei = c(0.12, 0.15, 0.10), method = 'DL', test = 'adhoc')",
                     se = c(0.12, 0.15, 0.10), tau2 = fit3$tau2,
                     share = as.numeric(weights(fit3)) / 100, i2 = fit3$I2,
                     ci = c(fit3$ci.lb, fit3$ci.ub), pi = c(predict(fit3)$pi.lb, predict(fit3)$pi.ub))
print(out$weights3)
write_golden(out, "grade")
