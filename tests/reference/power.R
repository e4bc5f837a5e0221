# Golden values for evidencekit.stats.power: pwr::pwr.t.test and Bloom's cluster MDES.
source("_common.R")
out <- list()

# pwr 1.3-0 solves with uniroot()'s default tol (~1.2e-4); "exact" re-solves pwr's own
# power expression (copied from pwr.t.test, two-sided, two.sample) to tol 1e-13.
pwr_power <- function(d, n, sig.level) {
  nu <- (n - 1) * 2
  qu <- qt(sig.level / 2, nu, lower = FALSE)
  pt(qu, nu, ncp = sqrt(n / 2) * d, lower = FALSE) + pt(-qu, nu, ncp = sqrt(n / 2) * d, lower = TRUE)
}
grid <- expand.grid(n = c(10, 20, 64, 100, 250, 1000), alpha = c(0.05, 0.01), power = c(0.8, 0.9))
grid$d_pwr <- mapply(function(n, a, p) pwr.t.test(n = n, sig.level = a, power = p)$d,
                     grid$n, grid$alpha, grid$power)
grid$d_exact <- mapply(function(n, a, p) uniroot(function(d) pwr_power(d, n, a) - p,
                       c(1e-7, 10), tol = 1e-13)$root, grid$n, grid$alpha, grid$power)
print(grid)
out$mdes <- list(source = "pwr.t.test(n=, sig.level=, power=, type='two.sample')$d; d_exact: uniroot(tol=1e-13) on pwr's power expression", rows = grid)

grid <- expand.grid(d = c(0.2, 0.35, 0.5, 0.8), alpha = c(0.05, 0.01), power = c(0.8, 0.9))
grid$n_pwr <- mapply(function(d, a, p) pwr.t.test(d = d, sig.level = a, power = p)$n,
                     grid$d, grid$alpha, grid$power)
grid$n_exact <- mapply(function(d, a, p) uniroot(function(n) pwr_power(d, n, a) - p,
                       c(2 + 1e-10, 1e9), tol = 1e-13)$root, grid$d, grid$alpha, grid$power)
print(grid)
out$n_per_group <- list(source = "pwr.t.test(d=, sig.level=, power=, type='two.sample')$n; n_exact: uniroot(tol=1e-13)", rows = grid)

grid <- data.frame(d = c(0.5, 0.3, 0.2), n = c(64, 50, 393), alpha = c(0.05, 0.05, 0.05))
grid$power <- mapply(function(d, n, a) pwr.t.test(n = n, d = d, sig.level = a)$power,
                     grid$d, grid$n, grid$alpha)
print(grid)
out$power <- list(source = "pwr.t.test(n=, d=, sig.level=, type='two.sample')$power", rows = grid)

# Bloom (2006) / Bloom, Richburg-Hayes & Black (2007) MDES, evaluated in R with qt().
bloom <- function(J, n, rho, alpha, power, P) {
  M <- qt(1 - alpha / 2, J - 2) + qt(power, J - 2)
  M * sqrt(rho / (P * (1 - P) * J) + (1 - rho) / (P * (1 - P) * J * n))
}
grid <- data.frame(J = c(40, 20, 60, 10, 40), n = c(25, 50, 20, 30, 25.5),
                   rho = c(0.2, 0.1, 0.05, 0, 0.15), alpha = c(0.05, 0.05, 0.05, 0.05, 0.01),
                   power = c(0.8, 0.8, 0.9, 0.8, 0.8), P = c(0.5, 0.5, 0.5, 0.5, 0.6))
grid$mdes <- with(grid, bloom(J, n, rho, alpha, power, P))
print(grid)
out$cluster_mdes <- list(source = "Bloom (2006) formula in R: (qt(1-alpha/2,J-2)+qt(power,J-2))*sqrt(rho/(P(1-P)J)+(1-rho)/(P(1-P)Jn))", rows = grid)
write_golden(out, "power")
