import '../shared/theme.css';
import '../shared/prompt.css';
import './approval.css';

import { mount } from '../shared/mount.js';
import { ApprovalWindow } from './ApprovalWindow.js';

mount(<ApprovalWindow />);
