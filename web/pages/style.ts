/**
 * The one stylesheet of every page the server renders. Each page names its kind on `<body>` (`index`, `adoption`, `workspace`,
 * `reports`, `public` for what the customer's people open: the booking page and link problems); what all pages
 * share comes first, then what differs per kind. Inlined by `htmlDocument`, so the pages' Content-Security-Policy
 * needs no stylesheet origin, and never built from input.
 */
export type PageKind = 'index' | 'adoption' | 'workspace' | 'reports' | 'public';

export const PAGE_STYLE = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#0f172a;background:#f1f5f9}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}
h3{font-size:15px;margin:0}
a{color:#1d4ed8}
a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #f59e0b;outline-offset:2px}
button{font:inherit;font-weight:600;border:0;border-radius:6px;padding:6px 12px;background:#1d4ed8;color:#fff;cursor:pointer}
.badge{display:inline-block;font-size:12px;font-weight:600;padding:1px 8px;border-radius:999px;background:#e2e8f0;color:#1e293b}
.badge-holdout{background:#ede9fe;color:#4c1d95}
.site{background:#0f172a}
.site-nav ul{display:flex;flex-wrap:wrap;gap:4px 18px;list-style:none;margin:0 auto;padding:10px 24px;max-width:1180px}
.site-nav a{color:#fff;text-decoration:none;font-weight:600}
.site-nav a[aria-current=page]{text-decoration:underline;text-underline-offset:4px}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.flash{background:#ecfdf5;border:1px solid #059669;color:#064e3b;padding:10px 14px;border-radius:8px;margin:12px 0}

.adoption{font-size:14px;line-height:1.45}
.adoption h1{margin:0}
.adoption h2{font-size:15px;margin:0 0 8px;color:#334155}
.adoption .sub{color:#475569;margin-top:2px}
.adoption .flash{border-color:#6ee7b7;color:#065f46}
.adoption .summary{display:flex;flex-wrap:wrap;gap:16px 24px;align-items:center;background:#fff;border-radius:10px;padding:16px 20px;margin:16px 0;box-shadow:0 1px 2px rgba(15,23,42,.08)}
.adoption .overall{font-size:40px;font-weight:700;line-height:1}
.adoption .overall small{font-size:14px;color:#64748b;font-weight:400}
.adoption .summary .meter{width:220px;max-width:100%}
.adoption svg.chart,.adoption svg.sparkline{max-width:100%;height:auto}
.adoption .summary .facts{color:#475569}
.adoption .recommendations{background:#fffbeb;border:1px solid #fcd34d;border-radius:10px;padding:12px 18px;margin:12px 0}
.adoption .recommendations ul{margin:0;padding-left:18px}
.adoption .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(270px,1fr));gap:14px}
.adoption .card{background:#fff;border-radius:10px;padding:14px 16px;box-shadow:0 1px 2px rgba(15,23,42,.08);border-left:4px solid #cbd5e1;display:flex;flex-direction:column;gap:8px}
.adoption .card.stalled{border-left-color:#d97706;background:#fffbeb}
.adoption .card.not-needed{opacity:.65}
.adoption .card header{display:flex;gap:10px;align-items:center}
.adoption .title{display:flex;flex-wrap:wrap;gap:6px;align-items:center}
.adoption .title h3{width:100%}
.adoption .badge{font-size:11px;color:#334155}
.adoption .stage-started{background:#dbeafe;color:#1e40af}
.adoption .stage-engaged{background:#e0e7ff;color:#3730a3}
.adoption .stage-adopted{background:#dcfce7;color:#166534}
.adoption .stage-churned{background:#fee2e2;color:#991b1b}
.adoption .badge-stalled{background:#b45309;color:#fff}
.adoption .badge-muted{background:#f1f5f9;color:#475569}
.adoption .badge-holdout{background:#ede9fe;color:#4c1d95}
.adoption .not-needed-form{display:flex;flex-wrap:wrap;gap:6px;align-items:center}
.adoption .not-needed-form label{font-size:12px;color:#334155;width:100%}
.adoption .not-needed-form input[type=text]{flex:1;font:inherit;border:1px solid #64748b;border-radius:6px;padding:4px 6px}
.adoption .score-row{display:flex;gap:10px;align-items:center}
.adoption .score{font-variant-numeric:tabular-nums;color:#334155;min-width:56px;text-align:right}
.adoption .meter{flex:1;height:10px;background:#e2e8f0;border-radius:999px;overflow:hidden}
.adoption .meter span{display:block;height:100%;border-radius:999px;background:#2563eb}
.adoption .meter-low span{background:#d97706}
.adoption .meter-mid span{background:#6366f1}
.adoption .meter-high span{background:#16a34a}
.adoption dl{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:0;color:#334155}
.adoption dt{color:#64748b}
.adoption dd{margin:0}
.adoption form{margin:0}
.adoption button{background:#2563eb}
.adoption .stalled button{background:#b45309}
.adoption button.quiet,.adoption .stalled button.quiet{background:#334155}
.adoption button[disabled]{background:#cbd5e1;cursor:not-allowed}
.adoption .empty{background:#fff;border-radius:10px;padding:20px;color:#64748b}
.adoption footer{color:#475569;margin-top:20px;font-size:12px}

.workspace h2{font-size:17px;margin:24px 0 8px}
.workspace nav{margin-bottom:12px}
.workspace .sub{color:#475569}
.workspace .panel{background:#fff;border-radius:10px;padding:14px 18px;box-shadow:0 1px 2px rgba(15,23,42,.1);margin-bottom:12px}
.workspace .table-scroll{overflow-x:auto;position:relative}
.workspace table{border-collapse:collapse;width:100%;background:#fff}
.workspace th,.workspace td{text-align:left;padding:8px 10px;border-bottom:1px solid #e2e8f0;vertical-align:top}
.workspace th{font-size:13px;color:#334155;background:#f8fafc}
.workspace .badge{margin:1px 4px 1px 0}
.workspace .badge-urgent,.workspace .badge-high{background:#fee2e2;color:#7f1d1d}
.workspace .filters{display:flex;gap:16px;align-items:flex-end;flex-wrap:wrap}
.workspace label{display:block;font-size:13px;font-weight:600;color:#1e293b;margin-bottom:2px}
.workspace input[type=text],.workspace select,.workspace textarea{font:inherit;border:1px solid #64748b;border-radius:6px;padding:5px 8px;background:#fff;color:#0f172a;width:100%}
.workspace textarea{min-height:140px}
.workspace button.secondary{background:#334155}
.workspace button.danger{background:#b91c1c}
.workspace .actions{display:flex;gap:8px;flex-wrap:wrap;margin-top:8px}
.workspace .field{margin-top:8px}
.workspace .empty{color:#475569}
.workspace .features{margin:0;padding-left:18px}
.workspace form.inline{display:inline}
.workspace .visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}

.reports{background:#fff;font-size:16px;line-height:normal}
.reports main{margin:24px;padding:0}
@media (max-width:600px){.reports main{margin:12px}}
.reports h2{font-size:16px;margin:0 0 8px}
.reports .meta{color:#475569;font-size:13px;margin-bottom:16px}
.reports .filters{display:flex;gap:10px;align-items:end;flex-wrap:wrap;margin-bottom:16px;font-size:13px}
.reports .filters label{display:flex;flex-direction:column;gap:2px}
.reports .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(500px,100%),1fr));gap:16px;margin-top:16px}
.reports section{border:1px solid #e2e8f0;border-radius:8px;padding:12px 14px;background:#fff;min-width:0}
.reports svg.chart{max-width:100%;height:auto}
.reports .table-scroll{overflow-x:auto;position:relative}
.reports h2.continued{margin-top:10px}
.reports table{border-collapse:collapse;font-size:12px;width:100%;margin-top:8px}
.reports th,.reports td{text-align:left;padding:3px 6px;border-bottom:1px solid #f1f5f9}
.reports .note{font-size:12px;color:#475569}
.reports .holdout{background:#fef3c7;border-radius:4px;padding:0 4px;font-size:11px}

.index h2{font-size:17px;margin:24px 0 8px}
.index .sub{color:#475569}
.index .table-scroll{overflow-x:auto;position:relative;background:#fff;border-radius:10px;box-shadow:0 1px 2px rgba(15,23,42,.1)}
.index table{border-collapse:collapse;width:100%}
.index th,.index td{text-align:left;padding:8px 10px;border-bottom:1px solid #e2e8f0}
.index thead th{font-size:13px;color:#334155;background:#f8fafc}
.index .empty{color:#475569}

.public{font-size:16px;color:#1f2937;background:#f9fafb}
.public main{max-width:42rem;margin:2rem auto;padding:0 1rem}
.public h1{font-size:1.5rem;margin:.67em 0}
.public fieldset{border:1px solid #d1d5db;border-radius:.5rem;padding:1rem;background:#fff}
.public legend{font-weight:600;padding:0 .25rem}
.public .slot{display:block;padding:.35rem 0}
.public label.field{display:block;margin-top:1rem;font-weight:600}
.public input[type=text],.public input[type=email],.public textarea{width:100%;padding:.5rem;border:1px solid #9ca3af;border-radius:.25rem;font:inherit}
.public button{margin-top:1rem;padding:.6rem 1.2rem;border-radius:.25rem}
.public .notice{padding:1rem;border-radius:.5rem;background:#ecfdf5;border:1px solid #10b981}
.public .problem{padding:1rem;border-radius:.5rem;background:#fef2f2;border:1px solid #ef4444}
`;
