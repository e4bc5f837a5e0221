# Golden values for evidencekit.stats.es_intervals: noncentral-t intervals for Cohen's d,
# Hedges' g, Glass's delta and d_z as R's effectsize computes them (ci_method "ncp"), the
# same intervals re-solved to a tight tolerance with uniroot (effectsize uses optim with
# abstol 1e-9), the d_av interval of Algina & Keselman (2003) and Morris's (2008) d_ppc2.
source("_common.R")
suppressPackageStartupMessages(library(effectsize))
out <- list(effectsize = as.character(packageVersion("effectsize")))
ncp_exact <- function(t, df, level = 0.95) {
  f <- function(lam, p) pt(t, df, ncp = lam) - p
  w <- max(10, abs(t))
  c(uniroot(f, c(t - 3 * w, t + 3 * w), p = (1 + level) / 2, tol = 1e-13)$root,
    uniroot(f, c(t - 3 * w, t + 3 * w), p = (1 - level) / 2, tol = 1e-13)$root)
}
two <- list(
  a = list(nt = 24, nc = 26, mt = 54.1, mc = 50.3, st = 9.5, sc = 10.8, seed = 1),
  b = list(nt = 12, nc = 40, mt = 3.2, mc = 2.1, st = 1.9, sc = 1.1, seed = 2),
  c = list(nt = 150, nc = 160, mt = 0.1, mc = 0.25, st = 1.0, sc = 1.2, seed = 3))
rows <- list()
for (nm in names(two)) {
  p <- two[[nm]]
  x <- exact_sample(p$nt, p$mt, p$st, p$seed); y <- exact_sample(p$nc, p$mc, p$sc, p$seed + 100)
  d <- cohens_d(x, y); g <- hedges_g(x, y); gd <- glass_delta(x, y)
  print(d); print(g); print(gd)
  h <- 1 / p$nt + 1 / p$nc; df <- p$nt + p$nc - 2
  sp <- sqrt(((p$nt - 1) * p$st^2 + (p$nc - 1) * p$sc^2) / df)
  dd <- (p$mt - p$mc) / sp; J <- exp(lgamma(df / 2) - log(sqrt(df / 2)) - lgamma((df - 1) / 2))
  dci <- ncp_exact(dd / sqrt(h), df) * sqrt(h)
  hd <- 1 / p$nc + p$st^2 / (p$nt * p$sc^2); delta <- (p$mt - p$mc) / p$sc
  gci <- ncp_exact(delta / sqrt(hd), p$nc - 1) * sqrt(hd)
  rows[[nm]] <- c(p, list(d = d$Cohens_d, d_ci_effectsize = c(d$CI_low, d$CI_high),
                          d_ci_exact = dci, g = g$Hedges_g,
                          g_ci_effectsize = c(g$CI_low, g$CI_high), g_ci_exact = J * dci,
                          delta = gd$Glass_delta, delta_ci_effectsize = c(gd$CI_low, gd$CI_high),
                          delta_ci_exact = gci))
}
out$two_group <- list(source = "effectsize cohens_d/hedges_g/glass_delta on exact samples; *_exact: uniroot(tol=1e-13) on pt(ncp=)", rows = rows)

paired <- list(a = list(n = 30, mpre = 20, spre = 5, mpost = 22, spost = 6, r = 0.6, seed = 4),
               b = list(n = 15, mpre = 10, spre = 2, mpost = 9.2, spost = 2.5, r = 0.3, seed = 5))
rows <- list()
for (nm in names(paired)) {
  p <- paired[[nm]]
  s <- exact_pairs(p$n, p$mpre, p$spre, p$mpost, p$spost, p$r, p$seed)
  dz <- cohens_d(s$post, s$pre, paired = TRUE); print(dz)
  diff <- s$post - s$pre; mc <- mean(diff); sdd <- sd(diff)
  lam <- ncp_exact(mc / (sdd / sqrt(p$n)), p$n - 1)
  sav <- sqrt((sd(s$pre)^2 + sd(s$post)^2) / 2)
  rows[[nm]] <- c(p, list(mean_change = mc, sd_change = sdd, sd_pre = sd(s$pre), sd_post = sd(s$post),
                          d_z = dz$Cohens_d, d_z_ci_effectsize = c(dz$CI_low, dz$CI_high),
                          d_z_ci_exact = lam / sqrt(p$n), d_av = mc / sav,
                          d_av_ci_exact = lam * sdd / (sqrt(p$n) * sav)))
}
out$paired <- list(source = "effectsize cohens_d(paired=TRUE); d_av: Algina & Keselman (2003) scaling of the paired-t ncp interval", rows = rows)

# Morris (2008), Organizational Research Methods 11:364-386, eqs. 8-10 and 25.
morris <- function(mpt, mqt, mpc, mqc, spt, spc, nt, nc, rho) {
  df <- nt + nc - 2; cp <- 1 - 3 / (4 * df - 1)
  sdp <- sqrt(((nt - 1) * spt^2 + (nc - 1) * spc^2) / df)
  d <- cp * ((mqt - mpt) - (mqc - mpc)) / sdp
  k <- 2 * (1 - rho) * (nt + nc) / (nt * nc)
  v <- cp^2 * k * (df / (nt + nc - 4)) * (1 + d^2 / k) - d^2
  list(d = d, var = v)
}
cases <- data.frame(mpt = c(30.6, 10, 100), mqt = c(38.5, 12.5, 104), mpc = c(23.1, 10.2, 99),
                    mqc = c(19.7, 11, 100), spt = c(15.0, 3, 15), spc = c(13.8, 3.4, 14),
                    nt = c(20, 40, 200), nc = c(24, 38, 210), rho = c(0.47, 0.5, 0.8))
res <- do.call(rbind, lapply(seq_len(nrow(cases)), function(i) as.data.frame(do.call(morris, as.list(cases[i, ])))))
cases <- cbind(cases, res); print(cases)
out$morris_ppc2 <- list(source = "Morris (2008) d_ppc2 and its variance (eq. 25) coded in R; row 1 is the paper's worked example (d_ppc2 = 0.77)", rows = cases)
# d_ppc2 from row-level data (rows_trial.csv, complete cases of pre and post): arm means,
# pooled pretest SD and the pooled within-group pre-post correlation.
rt <- read.csv("rows_trial.csv"); rt <- rt[complete.cases(rt$pre, rt$post), ]
tt <- rt[rt$arm == "tutored", ]; cc <- rt[rt$arm == "control", ]
within <- function(a, b) sum((a - mean(a)) * (b - mean(b)))
r_w <- (within(tt$pre, tt$post) + within(cc$pre, cc$post)) /
  sqrt((within(tt$pre, tt$pre) + within(cc$pre, cc$pre)) * (within(tt$post, tt$post) + within(cc$post, cc$post)))
m <- morris(mean(tt$pre), mean(tt$post), mean(cc$pre), mean(cc$post), sd(tt$pre), sd(cc$pre),
            nrow(tt), nrow(cc), r_w)
print(c(m, r = r_w, nt = nrow(tt), nc = nrow(cc)))
out$morris_rows <- list(source = "Morris (2008) d_ppc2 on rows_trial.csv (arm tutored vs control; complete pre/post), r = pooled within-group correlation",
                        d = m$d, var = m$var, r = r_w, nt = nrow(tt), nc = nrow(cc))
write_golden(out, "es_intervals")
