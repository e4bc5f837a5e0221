# Golden values for evidencekit.stats multiplicity, prepost, cluster and interpret.
source("_common.R")
out <- list()

## Benjamini-Hochberg: stats::p.adjust(method = "BH").
pv <- list(c(0.01, 0.04, 0.03, 0.20),
           c(0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459,
             0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.000),
           c(0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216, 0.222,
             0.251, 0.269, 0.275, 0.34, 0.341, 0.384, 0.569, 0.594, 0.696, 0.762, 0.94,
             0.942, 0.975, 0.986),
           c(0.05, 0.05, 0.01, 0.9, 1, 0.3),
           c(0.7))
out$bh <- lapply(pv, function(p) list(p = p, adjusted = p.adjust(p, method = "BH")))
print(out$bh)
out$bh_source <- paste("p.adjust(p, method='BH'); the 15 p-values are the example of",
  "Benjamini & Hochberg (1995) section 4.1; the 25 are McDonald, Handbook of Biological",
  "Statistics (3rd ed.), Benjamini-Hochberg example (Garcia-Arenzana et al. 2014)")

## Paired t-test on rows: datasets::sleep, drug 2 vs drug 1 within patient.
pre <- sleep$extra[sleep$group == 1]; post <- sleep$extra[sleep$group == 2]
pt_ <- t.test(post, pre, paired = TRUE); print(pt_)
out$paired_rows <- list(source = "t.test(extra[group==2], extra[group==1], paired=TRUE), datasets::sleep",
  pre = pre, post = post, t = unname(pt_$statistic), df = unname(pt_$parameter),
  p_value = pt_$p.value, ci = as.numeric(pt_$conf.int), mean_change = unname(pt_$estimate),
  sd_change = sd(post - pre), r = cor(pre, post))

## Paired t-test from summaries: pairs built with exactly these means, SDs and r.
s <- list(n = 30, mean_pre = 50, sd_pre = 10, mean_post = 55, sd_post = 12, r = 0.6)
xy <- exact_pairs(s$n, s$mean_pre, s$sd_pre, s$mean_post, s$sd_post, s$r, seed = 3)
pt_ <- t.test(xy$post, xy$pre, paired = TRUE); print(pt_)
out$paired_summary <- c(s, list(source = "t.test(post, pre, paired=TRUE) on pairs with n/means/SDs/r 30, 50/10, 55/12, r=0.6",
  t = unname(pt_$statistic), df = unname(pt_$parameter), p_value = pt_$p.value,
  ci = as.numeric(pt_$conf.int), check_r = cor(xy$pre, xy$post)))

## WWC clustering correction (Procedures Handbook 4.1), the formula evaluated in R for
## g = 0.30, 200 + 200 pupils, 20 clusters, ICC 0.20, SE(g) as metafor's escalc vi.
g <- 0.30; nt <- 200; nc <- 200; M <- 20; rho <- 0.20
N <- nt + nc; n <- N / M
se <- sqrt(1 / nt + 1 / nc + g^2 / (2 * N))
t <- g / se
tA <- t * sqrt(((N - 2) - 2 * (n - 1) * rho) / ((N - 2) * (1 + (n - 1) * rho)))
h <- ((N - 2) - 2 * (n - 1) * rho)^2 /
  ((N - 2) * (1 - rho)^2 + n * (N - 2 * n) * rho^2 + 2 * (N - 2 * n) * rho * (1 - rho))
p <- 2 * pt(-abs(tA), h)
out$wwc_cluster <- list(source = "WWC Procedures Handbook 4.1 clustering correction, evaluated in R",
  g = g, n_t = nt, n_c = nc, clusters = M, icc = rho, se_g = se, t = t, t_adjusted = tA,
  df = h, p_value = p, p_unadjusted = 2 * pt(-abs(t), N - 2))
print(out$wwc_cluster)

## WWC improvement index: 100 * pnorm(g) - 50.
gs <- c(-0.5, 0, 0.1, 0.25, 0.8)
out$improvement_index <- list(source = "100*pnorm(g) - 50", g = gs, index = 100 * pnorm(gs) - 50)
print(out$improvement_index)
write_golden(out, "misc")
